/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * xen-pciback-pv: a PV-PCI backend in QEMU for xen-pcifront guests: the
 * device (see xen-pciback-pv.h; the ring is xen-pciback-pv-ring.c).
 *
 * A XenDevice on QEMU's xen-bus, modelled on xen-block.  Its backend type
 * is "pci-qemu" so that it can run in a dom0 beside the kernel's xen-pciback
 * (which owns "pci"); the frontend device type stays "pci", so an
 * unmodified xen-pcifront connects to it.  Each exported host function is
 * a XenPciFunc of the shared function layer; the QEMU-free op core
 * (hw/xen/pv-pci/xpv-core) answers the frontend's ops and the QEMU-free
 * xenbus state machine (xpv-xenbus) does what pciback does in xenstore;
 * this file binds them to xen-bus, QOM and libxl.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "qemu/error-report.h"
#include "qemu/lockable.h"
#include "qemu/module.h"
#include "system/xen.h"
#include "hw/qdev-properties.h"
#include "hw/xen/xen-bus-helper.h"
#include "hw/xen/xen.h"
#include "pv-pci/xpv-xenbus.h"
#include "xen-pciback-pv.h"
#include "xen-pci-func.h"
#include "trace.h"

#define TYPE_XEN_PCIBACK_PV "xen-pciback-pv"
OBJECT_DECLARE_SIMPLE_TYPE(XenPciBackPv, XEN_PCIBACK_PV)

/* One exported host function (the op core's and the state machine's). */
typedef struct XpbFunc {
    XenPciFunc fn;
} XpbFunc;

struct XenPciBackPv {
    XenDevice parent_obj;

    /* properties */
    char *hosts;             /* "DDDD:BB:DD.F[;...]" (or ",," escaped) */
    char *mode;              /* "vpci" (default) or "passthrough" */
    XenPciPolicy policy;     /* the same for every function */
    bool assign;             /* do what libxl would: IOMMU, permissions */
    bool no_strict_reset;    /* pass through without a working reset */
    bool power_mgmt;         /* guest D-states reach the functions */
    uint64_t hv_fail;        /* x-hv-fail: hypercalls failing, tests only */
    IOThread *iothread;      /* serve the ring there, not in the main loop */
    char *sysfs_root;

    QemuMutex lock;          /* see XpbRing */
    XpvBackend *core;
    XpvXenbus bus;           /* xenstore, hot plug: the state machine */
    XpbRing ring;
    QEMUTimer *connect_retry;
    int64_t last_guest_log_ms;
    char *guard_path;               /* libxl's pci backend path, held */
    char log_name[XEN_PCI_LOG_NAME_LEN];
};

static const char *xpb_name(XenPciBackPv *s)
{
    return XEN_DEVICE(s)->name;
}

static void G_GNUC_PRINTF(2, 3) xpb_guest_error(XenPciBackPv *s,
                                                const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    xen_pci_log_guest_errorv(&s->last_guest_log_ms, s->log_name, fmt, ap);
    va_end(ap);
}

static XpbFunc *xpb_func(XenPciBackPv *s, unsigned n)
{
    return xpv_xenbus_func(&s->bus, n);
}

/* ---- interrupts through Xen (the op core's hooks) ---- */

static int xpb_enable_msi(void *opaque, const XpvFunc *f, unsigned nvec,
                          int pirqs[])
{
    XpbFunc *pf = f->opaque;
    unsigned i;
    int pirq;

    if (!xen_pci_func_msi_enable(&pf->fn, nvec, &pirq)) {
        return -1;
    }
    for (i = 0; i < nvec; i++) {
        pirqs[i] = pirq + i;
    }
    return 0;
}

static void xpb_disable_msi(void *opaque, const XpvFunc *f)
{
    xen_pci_func_msi_disable(&((XpbFunc *)f->opaque)->fn);
}

static int xpb_enable_msix(void *opaque, const XpvFunc *f,
                           const XpvMsixEntry *entries, unsigned n,
                           int pirqs[])
{
    XpbFunc *pf = f->opaque;
    uint16_t index[SH_INFO_MAX_VEC];
    unsigned i;

    for (i = 0; i < n && i < SH_INFO_MAX_VEC; i++) {
        index[i] = entries[i].entry;
    }
    return xen_pci_func_msix_enable(&pf->fn, index, i, pirqs) ? 0 : -1;
}

static void xpb_disable_msix(void *opaque, const XpvFunc *f)
{
    xen_pci_func_msix_disable(&((XpbFunc *)f->opaque)->fn);
}

/* Bad ops are bad guest input: a rate-limited guest error each. */
static void xpb_refused(void *opaque, const XpvFunc *f, uint32_t cmd,
                        int32_t err)
{
    XenPciBackPv *s = opaque;
    XpbFunc *pf = f ? f->opaque : NULL;

    if (pf) {
        xen_pci_func_guest_error(&pf->fn, "op %s (%u) refused: "
                                 "XEN_PCI_ERR %d", xpv_op_name(cmd), cmd,
                                 err);
    } else {
        xpb_guest_error(s, "op %s (%u) for no function refused: "
                        "XEN_PCI_ERR %d", xpv_op_name(cmd), cmd, err);
    }
}

/* One trace line per op, as the HVM path traces each config access. */
static void xpb_answered(void *opaque, const XpvFunc *f,
                         const XpvOpRecord *r)
{
    XenPciBackPv *s = opaque;
    const XpbFunc *pf = f ? f->opaque : NULL;

    trace_xen_pciback_pv_op(pf ? xen_pci_func_name(&pf->fn) : xpb_name(s),
                            xpv_op_name(r->cmd), r->domain, r->bus,
                            r->devfn, r->offset, r->size, r->in_value,
                            r->out_value, r->err);
}

static const XpvHooks xpb_hooks = {
    .answered = xpb_answered,
    .enable_msi = xpb_enable_msi,
    .disable_msi = xpb_disable_msi,
    .enable_msix = xpb_enable_msix,
    .disable_msix = xpb_disable_msix,
    .refused = xpb_refused,
};

/* ---- functions ---- */

/* Open, reset, filter and export one host function (locked). */
static void *xpb_open_func(void *opaque, const XenPciAddr *addr, unsigned n,
                           GError **errp)
{
    XenPciBackPv *s = opaque;
    g_autofree XpbFunc *pf = g_new0(XpbFunc, 1);
    XenPciFuncConfig c = {
        .owner = TYPE_XEN_PCIBACK_PV, .sysfs_root = s->sysfs_root,
        .addr = *addr, .policy = &s->policy,
        .domid = XEN_DEVICE(s)->frontend_id, .grant = s->assign,
        .no_strict_reset = s->no_strict_reset, .hv_fail = &s->hv_fail,
        .power_mgmt = s->power_mgmt,
    };
    XpvFuncConfig fc;
    Error *err = NULL;

    if (!xen_pci_func_open(&pf->fn, &c, &err)) {
        g_set_error(errp, XPV_ERROR, 0, "%s", error_get_pretty(err));
        error_free(err);
        return NULL;
    }
    /* As pciback: the guest sees dom0's IRQ as the interrupt line. */
    xpf_set_interrupt_line(pf->fn.xpf, xen_pci_func_irq(&pf->fn) & 0xff);
    fc = (XpvFuncConfig) {
        .host = xpv_bdf_of(addr), .dev = pf->fn.xpf, .opaque = pf,
        .intx_pirq = xen_pci_func_intx_pirq(&pf->fn),
        .virtfn = xen_pci_func_is_virtfn(&pf->fn),
    };
    if (!xpv_add_func(s->core, &fc, errp)) {
        xen_pci_func_close(&pf->fn);
        return NULL;
    }
    trace_xen_pciback_pv_add(xen_pci_func_name(&pf->fn), n);
    return g_steal_pointer(&pf);
}

static void xpb_close_func(void *opaque, void *func)
{
    XenPciBackPv *s = opaque;
    XpbFunc *pf = func;

    xpv_remove_func(s->core, xpv_bdf_of(xen_pci_func_addr(&pf->fn)), NULL);
    trace_xen_pciback_pv_remove(xen_pci_func_name(&pf->fn));
    xen_pci_func_close(&pf->fn);
    g_free(pf);
}

/* ---- the state machine's seam ---- */

static void xpb_lock(void *opaque)
{
    qemu_mutex_lock(&((XenPciBackPv *)opaque)->lock);
}

static void xpb_unlock(void *opaque)
{
    qemu_mutex_unlock(&((XenPciBackPv *)opaque)->lock);
}

static void xpb_write(void *opaque, const char *key, const char *val)
{
    xen_device_backend_printf(XEN_DEVICE(opaque), key, "%s", val);
}

static unsigned xpb_get_state(void *opaque)
{
    return xen_device_backend_get_state(XEN_DEVICE(opaque));
}

static void xpb_set_state(void *opaque, unsigned state)
{
    xen_device_backend_set_state(XEN_DEVICE(opaque), state);
}

static bool xpb_connect(void *opaque, GError **errp)
{
    XenPciBackPv *s = opaque;
    Error *err = NULL;

    if (!xpb_ring_connect(&s->ring, &err)) {
        g_set_error(errp, XPV_ERROR, 0, "%s", error_get_pretty(err));
        error_free(err);
        return false;
    }
    return true;
}

static void xpb_disconnect(void *opaque)
{
    XenPciBackPv *s = opaque;

    xpb_ring_disconnect(&s->ring);
    if (s->connect_retry) {
        timer_del(s->connect_retry);
    }
}

/*
 * Unusable frontend values: logged as a rate-limited guest error (and
 * the state machine waits before the next attempt, so a frontend that
 * keeps retrying costs one attempt per period, including whatever the Xen
 * libraries print about a grant or port that does not map).
 */
static void xpb_refused_connect(void *opaque, const char *why)
{
    xpb_guest_error(opaque, "connection refused: %s", why);
}

static void xpb_retry_at(void *opaque, int64_t at_ms)
{
    timer_mod(((XenPciBackPv *)opaque)->connect_retry, at_ms);
}

static const XpvXenbusOps xpb_xenbus_ops = {
    .lock = xpb_lock, .unlock = xpb_unlock, .write = xpb_write,
    .get_state = xpb_get_state, .set_state = xpb_set_state,
    .connect = xpb_connect, .disconnect = xpb_disconnect,
    .open_func = xpb_open_func, .close_func = xpb_close_func,
    .refused = xpb_refused_connect, .retry_at = xpb_retry_at,
};

static void xpb_connect_retry(void *opaque)
{
    XenPciBackPv *s = opaque;

    xpv_xenbus_connect_retry(&s->bus, qemu_clock_get_ms(QEMU_CLOCK_REALTIME));
}

static void xpb_frontend_changed(XenDevice *xendev,
                                 enum xenbus_state state, Error **errp)
{
    XenPciBackPv *s = XEN_PCIBACK_PV(xendev);

    trace_xen_pciback_pv_frontend(xpb_name(s), state,
                                  xen_device_backend_get_state(xendev));
    xpv_xenbus_frontend_changed(&s->bus, state,
                                qemu_clock_get_ms(QEMU_CLOCK_REALTIME));
}

/* ---- libxl's PV-PCI backend path, held while we serve the frontend ---- */

static struct qemu_xs_handle *xpb_xsh(XenPciBackPv *s)
{
    return XEN_BUS(qdev_get_parent_bus(DEVICE(s)))->xsh;
}

/*
 * A guest has one PV-PCI frontend, device/pci/0, and libxl keeps the
 * kernel pciback's backend for it at backend/pci/<domid>/0 in dom0.
 * Two cases must not happen while we serve that frontend: a guest whose
 * xl.cfg has pci= (pciback would serve the same frontend), refused here;
 * and xl pci-attach, which would delete the frontend directory and hand
 * the guest to pciback.  A directory at libxl's path with num_devs but no
 * state makes libxl refuse pci-attach ("Backend ... does not exist")
 * before it touches the frontend; pciback ignores a directory without a
 * frontend-id.  Ours says whose it is, so that only we remove it.
 */
static bool xpb_guard_create(XenPciBackPv *s, Error **errp)
{
    ERRP_GUARD();
    XenDevice *xendev = XEN_DEVICE(s);
    struct qemu_xs_handle *xsh = xpb_xsh(s);
    g_autofree char *path = g_strdup_printf("/local/domain/0/backend/pci/%u/0",
                                            xendev->frontend_id);
    g_autofree char *found = xs_node_read(xsh, XBT_NULL, NULL, NULL, "%s",
                                          path);

    if (found) {
        error_setg(errp, "domain %u already has a PV-PCI backend at %s "
                   "(pci= in its xl.cfg?); a guest has one PV-PCI frontend, "
                   "so export all its functions from one backend",
                   xendev->frontend_id, path);
        return false;
    }
    xs_node_create(xsh, XBT_NULL, path, 0, xendev->frontend_id, XS_PERM_READ,
                   errp);
    if (*errp) {
        return false;
    }
    s->guard_path = g_steal_pointer(&path);
    xs_node_printf(xsh, XBT_NULL, s->guard_path, "qemu-backend", errp, "%s",
                   xendev->backend_path);
    if (!*errp) {
        xs_node_printf(xsh, XBT_NULL, s->guard_path, "num_devs", errp, "0");
    }
    return !*errp;
}

static void xpb_guard_remove(XenPciBackPv *s)
{
    struct qemu_xs_handle *xsh = xpb_xsh(s);
    g_autofree char *owner = NULL;
    g_autofree char *parent = NULL;
    char **left;
    unsigned int n = 0;

    if (!s->guard_path) {
        return;
    }
    owner = xs_node_read(xsh, XBT_NULL, NULL, NULL, "%s/qemu-backend",
                         s->guard_path);
    if (!owner || !strcmp(owner, XEN_DEVICE(s)->backend_path)) {
        xs_node_destroy(xsh, XBT_NULL, s->guard_path, NULL);
        parent = g_path_get_dirname(s->guard_path);
        left = qemu_xen_xs_directory(xsh, XBT_NULL, parent, &n);
        if (left && !n) {
            xs_node_destroy(xsh, XBT_NULL, parent, NULL);
        }
        free(left);
    }
    g_clear_pointer(&s->guard_path, g_free);
}

/* ---- realize / unrealize ---- */

static char *xpb_get_name(XenDevice *xendev, Error **errp)
{
    return g_strdup("0");   /* xen-pcifront drives device/pci/0 only */
}

static bool xpb_parse_mode(XenPciBackPv *s, XpvMode *mode, Error **errp)
{
    if (!s->mode || !strcmp(s->mode, "vpci")) {
        *mode = XPV_MODE_VPCI;
    } else if (!strcmp(s->mode, "passthrough")) {
        *mode = XPV_MODE_PASSTHROUGH;
    } else {
        error_setg(errp, "mode must be 'vpci' or 'passthrough', not '%s'",
                   s->mode);
        return false;
    }
    return true;
}

static void xpb_realize(XenDevice *xendev, Error **errp)
{
    XenPciBackPv *s = XEN_PCIBACK_PV(xendev);
    g_autoptr(GError) gerr = NULL;
    XpvMode mode;

    if (!xpb_parse_mode(s, &mode, errp)) {
        return;
    }
    if (!s->hosts || !*s->hosts) {
        error_setg(errp, "xen-pciback-pv needs the hosts property "
                   "(DDDD:BB:DD.F[;...])");
        return;
    }
    snprintf(s->log_name, sizeof(s->log_name),
             "xen-pciback-pv frontend %u", xendev->frontend_id);
    if (xen_enabled() && !xpb_guard_create(s, errp)) {
        return;
    }
    s->core = xpv_backend_new(mode, &xpb_hooks, s);
    xpb_ring_init(&s->ring, xendev, s->core, &s->lock, s->iothread,
                  s->log_name);
    s->connect_retry = timer_new_ms(QEMU_CLOCK_REALTIME, xpb_connect_retry, s);
    xpv_xenbus_init(&s->bus, s->core, &xpb_xenbus_ops, s);
    /* ';' separates, as does ',' (written ",," inside a -device option) */
    if (!xpv_xenbus_start(&s->bus, s->hosts, &gerr)) {
        xen_pci_error_from_gerror(errp, gerr, NULL);
        return;     /* unrealize cleans up what was added */
    }
    trace_xen_pciback_pv_realize(xendev->name, xendev->frontend_id,
                                 s->bus.num_devs);
}

static void xpb_unrealize(XenDevice *xendev)
{
    XenPciBackPv *s = XEN_PCIBACK_PV(xendev);

    if (s->bus.ops) {
        xpv_xenbus_stop(&s->bus);
    }
    g_clear_pointer(&s->core, xpv_backend_free);
    xpb_ring_cleanup(&s->ring);
    g_clear_pointer(&s->connect_retry, timer_free);
    xpb_guard_remove(s);
}

/* ---- run-time properties ---- */

/* Every function takes the new policy, or none does. */
static bool xpb_apply_policy(Object *obj, const XenPciPolicy *p,
                             Error **errp)
{
    XenPciBackPv *s = XEN_PCIBACK_PV(obj);
    unsigned n, done;

    QEMU_LOCK_GUARD(&s->lock);
    for (n = 0; n < XPV_MAX_FUNCS; n++) {
        if (xpb_func(s, n) &&
            !xen_pci_func_set_policy(&xpb_func(s, n)->fn, p, errp)) {
            for (done = 0; done < n; done++) {
                if (xpb_func(s, done)) {
                    xen_pci_func_set_policy(&xpb_func(s, done)->fn,
                                            &s->policy, NULL);
                }
            }
            return false;
        }
    }
    return true;
}

/* "DDDD:BB:DD.F: <policy>" for each function (NULL: none yet). */
static char *xpb_describe_policy(Object *obj)
{
    XenPciBackPv *s = XEN_PCIBACK_PV(obj);
    g_autoptr(GString) out = g_string_new("");
    unsigned n;

    QEMU_LOCK_GUARD(&s->lock);
    for (n = 0; n < XPV_MAX_FUNCS; n++) {
        g_autofree char *line = NULL;

        if (!xpb_func(s, n)) {
            continue;
        }
        line = xen_pci_func_policy_summary(&xpb_func(s, n)->fn, &s->policy);
        g_string_append_printf(out, "%s%s: %s", out->len ? "\n" : "",
                               xen_pci_func_name(&xpb_func(s, n)->fn), line);
    }
    return out->len ? g_string_free(g_steal_pointer(&out), false) : NULL;
}

static const XenPciPolicyProps xpb_policy_props = {
    .offset = offsetof(XenPciBackPv, policy),
    .apply = xpb_apply_policy,
    .describe = xpb_describe_policy,
};

/*
 * Hot add (published as Initialising, exported at Reconfiguring) and hot
 * remove (Closing for the frontend, freed at Reconfiguring).
 */
static void xpb_hot_plug(Object *obj, const char *v, bool add, Error **errp)
{
    XenPciBackPv *s = XEN_PCIBACK_PV(obj);
    g_autoptr(GError) gerr = NULL;

    if (!DEVICE(obj)->realized) {
        error_setg(errp, "%s works on a running backend%s",
                   add ? "add-host" : "remove-host", add ? "; use hosts" : "");
        return;
    }
    if (!(add ? xpv_xenbus_add_host : xpv_xenbus_remove_host)(&s->bus, v,
                                                              &gerr)) {
        xen_pci_error_from_gerror(errp, gerr, NULL);
    }
}

static void xpb_set_add_host(Object *obj, const char *v, Error **errp)
{
    xpb_hot_plug(obj, v, true, errp);
}

static void xpb_set_remove_host(Object *obj, const char *v, Error **errp)
{
    xpb_hot_plug(obj, v, false, errp);
}

static void xpb_get_poll_us(Object *obj, Visitor *v, const char *name,
                            void *opaque, Error **errp)
{
    visit_type_uint32(v, name, &XEN_PCIBACK_PV(obj)->ring.poll_us, errp);
}

/* Run-time settable; the main loop waits at most this long per answer. */
static void xpb_set_poll_us(Object *obj, Visitor *v, const char *name,
                            void *opaque, Error **errp)
{
    uint32_t val;

    if (!visit_type_uint32(v, name, &val, errp)) {
        return;
    }
    if (val > XPB_POLL_US_MAX) {
        error_setg(errp, "poll-us must be at most %u", XPB_POLL_US_MAX);
        return;
    }
    qatomic_set(&XEN_PCIBACK_PV(obj)->ring.poll_us, val);
}

static char *xpb_get_stats(Object *obj, Error **errp)
{
    XenPciBackPv *s = XEN_PCIBACK_PV(obj);
    GString *out = g_string_new(NULL);
    XpvStats st = { 0 };
    unsigned n;

    QEMU_LOCK_GUARD(&s->lock);
    if (s->core) {
        xpv_get_stats(s->core, &st);
    }
    g_string_append_printf(out, "events=%" PRIu64 " spurious=%" PRIu64
                           " throttled=%" PRIu64 " ops=%" PRIu64
                           " aer=%" PRIu64, st.events, st.spurious,
                           st.throttled, st.ops, st.aer_ops);
    for (n = 0; n < XPV_NUM_ERRS; n++) {
        g_string_append_printf(out, " err%d=%" PRIu64, -(int)n,
                               st.errors[n]);
    }
    for (n = 0; n < XPV_MAX_FUNCS; n++) {
        if (xpb_func(s, n)) {
            g_string_append_printf(out, " %s:denied=%" PRIu64,
                                   xen_pci_func_name(&xpb_func(s, n)->fn),
                                   xen_pci_func_denied(&xpb_func(s, n)->fn));
        }
    }
    return g_string_free(out, false);
}

/* The same counters, typed, for scripts (qom-get counters). */
static void xpb_get_counters(Object *obj, Visitor *v, const char *name,
                             void *opaque, Error **errp)
{
    XenPciBackPv *s = XEN_PCIBACK_PV(obj);
    XpvStats st = { 0 };
    uint64_t denied = 0, refused = 0;
    unsigned n;
    bool ok;

    WITH_QEMU_LOCK_GUARD(&s->lock) {
        if (s->core) {
            xpv_get_stats(s->core, &st);
        }
        for (n = 0; n < XPV_MAX_FUNCS; n++) {
            denied += xpb_func(s, n) ? xen_pci_func_denied(&xpb_func(s, n)->fn)
                                     : 0;
        }
    }
    for (n = 1; n < XPV_NUM_ERRS; n++) {
        refused += st.errors[n];
    }
    if (!visit_start_struct(v, name, NULL, 0, errp)) {
        return;
    }
    ok = visit_type_uint64(v, "events", &st.events, errp) &&
         visit_type_uint64(v, "spurious", &st.spurious, errp) &&
         visit_type_uint64(v, "throttled", &st.throttled, errp) &&
         visit_type_uint64(v, "ops", &st.ops, errp) &&
         visit_type_uint64(v, "refused-ops", &refused, errp) &&
         visit_type_uint64(v, "aer-ops", &st.aer_ops, errp) &&
         visit_type_uint64(v, "denied-writes", &denied, errp);
    if (ok) {
        visit_check_struct(v, errp);
    }
    visit_end_struct(v, NULL);
}

/* Each function's last denied writes, typed (qom-get last-denied-writes). */
static void xpb_get_last_denied(Object *obj, Visitor *v, const char *name,
                                void *opaque, Error **errp)
{
    XenPciBackPv *s = XEN_PCIBACK_PV(obj);
    unsigned n;

    if (!visit_start_list(v, name, NULL, 0, errp)) {
        return;
    }
    WITH_QEMU_LOCK_GUARD(&s->lock) {
        for (n = 0; n < XPV_MAX_FUNCS; n++) {
            if (xpb_func(s, n) &&
                !xen_pci_func_visit_denied(&xpb_func(s, n)->fn, v, errp)) {
                break;
            }
        }
    }
    visit_end_list(v, NULL);
}

static void xpb_set_inject_aer(Object *obj, const char *v, Error **errp)
{
    XenPciBackPv *s = XEN_PCIBACK_PV(obj);
    XenPciAddr a;

    if (!xen_pci_addr_parse(v, &a)) {
        error_setg(errp, "'%s' is not a host PCI address [DDDD:]BB:DD.F", v);
        return;
    }
    QEMU_LOCK_GUARD(&s->lock);
    xpb_ring_inject_aer(&s->ring, xpv_bdf_of(&a), errp);
}

static const Property xpb_properties[] = {
    DEFINE_PROP_STRING("hosts", XenPciBackPv, hosts),
    DEFINE_PROP_STRING("mode", XenPciBackPv, mode),
    DEFINE_PROP_BOOL("assign", XenPciBackPv, assign, false),
    DEFINE_PROP_BOOL("no-strict-reset", XenPciBackPv, no_strict_reset, false),
    DEFINE_PROP_BOOL("power_mgmt", XenPciBackPv, power_mgmt, false),
    DEFINE_PROP_LINK("iothread", XenPciBackPv, iothread, TYPE_IOTHREAD,
                     IOThread *),
    DEFINE_PROP_STRING("x-sysfs-root", XenPciBackPv, sysfs_root),
};

static void xpb_instance_init(Object *obj)
{
    XEN_PCIBACK_PV(obj)->ring.poll_us = XPB_POLL_US_DEFAULT;
    qemu_mutex_init(&XEN_PCIBACK_PV(obj)->lock);
    /* tests: hypercall steps that fail (bit n: XenPciHvOps op n) */
    object_property_add_uint64_ptr(obj, "x-hv-fail",
                                   &XEN_PCIBACK_PV(obj)->hv_fail,
                                   OBJ_PROP_FLAG_READWRITE);
}

static void xpb_instance_finalize(Object *obj)
{
    xen_pci_policy_free(&XEN_PCIBACK_PV(obj)->policy);
    qemu_mutex_destroy(&XEN_PCIBACK_PV(obj)->lock);
}

static void xpb_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    XenDeviceClass *xc = XEN_DEVICE_CLASS(klass);

    dc->desc = "Xen PV-PCI backend (for xen-pcifront)";
    xc->backend = "pci-qemu";
    xc->device = "pci";
    xc->get_name = xpb_get_name;
    xc->realize = xpb_realize;
    xc->frontend_changed = xpb_frontend_changed;
    xc->unrealize = xpb_unrealize;
    device_class_set_props(dc, xpb_properties);
    xen_pci_policy_class_init(klass, &xpb_policy_props);
    object_class_property_add_str(klass, "add-host", NULL, xpb_set_add_host);
    object_class_property_add_str(klass, "remove-host", NULL,
                                  xpb_set_remove_host);
    object_class_property_add_str(klass, "stats", xpb_get_stats, NULL);
    object_class_property_add(klass, "counters", "XenPciBackPvCounters",
                              xpb_get_counters, NULL, NULL, NULL);
    object_class_property_add(klass, "last-denied-writes", "list",
                              xpb_get_last_denied, NULL, NULL, NULL);
    object_class_property_add(klass, "poll-us", "uint32", xpb_get_poll_us,
                              xpb_set_poll_us, NULL, NULL);
    object_class_property_add_str(klass, "x-inject-aer", NULL,
                                  xpb_set_inject_aer);
}

static const TypeInfo xpb_info = {
    .name = TYPE_XEN_PCIBACK_PV,
    .parent = TYPE_XEN_DEVICE,
    .instance_size = sizeof(XenPciBackPv),
    .instance_init = xpb_instance_init,
    .instance_finalize = xpb_instance_finalize,
    .class_init = xpb_class_init,
};

static void xpb_register_types(void)
{
    type_register_static(&xpb_info);
}

type_init(xpb_register_types)
