/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * xen-pciback-pv: a PV-PCI backend in QEMU for xen-pcifront guests.
 *
 * A XenDevice on QEMU's xen-bus, modelled on xen-block.  Its backend type
 * is "pci-qemu" so that it can run in a dom0 beside the kernel's xen-pciback
 * (which owns "pci"); the frontend device type stays "pci", so an
 * unmodified xen-pcifront connects to it.  Each exported host function is
 * filtered by the shared register-filter engine; the QEMU-free op core
 * (hw/xen/pv-pci) answers the frontend's ops, and this file does the
 * plumbing: xenstore, the granted page, the event channel, the pirqs.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "qemu/error-report.h"
#include "qemu/lockable.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "hw/pci/pci.h"
#include "system/xen.h"
#include "hw/qdev-properties.h"
#include "block/aio-wait.h"
#include "system/iothread.h"
#include "hw/xen/xen-bus.h"
#include "hw/xen/xen-bus-helper.h"
#include "hw/xen/xen.h"
#include "pv-pci/xpv-core.h"
#include "xen-pci-func.h"
#include "trace.h"

#define TYPE_XEN_PCIBACK_PV "xen-pciback-pv"
OBJECT_DECLARE_SIMPLE_TYPE(XenPciBackPv, XEN_PCIBACK_PV)

/* After a refused connection, the next attempt waits this long. */
#define XPB_CONNECT_BACKOFF_MS 1000

/* One exported host function; @n is its index in xenstore (dev-N). */
typedef struct XpbFunc {
    XenPciBackPv *owner;
    unsigned n;
    XenPciFunc fn;
    bool closing;        /* removal asked, waiting for the frontend */
} XpbFunc;

struct XenPciBackPv {
    XenDevice parent_obj;

    /* properties */
    char *hosts;             /* "DDDD:BB:DD.F[;...]" (or ",," escaped) */
    char *mode;              /* "vpci" (default) or "passthrough" */
    XenPciPolicy policy;     /* the same for every function */
    bool assign;             /* do what libxl would: IOMMU, permissions */
    uint32_t poll_us;        /* watch the page this long after an answer */
    IOThread *iothread;      /* serve the ring there, not in the main loop */
    char *sysfs_root;

    /*
     * With an IOThread, the ring is served there while the main loop
     * connects, reconfigures and answers QOM: everything below that the
     * op path touches (core, functions, page, timers' state) is used with
     * @lock held.  The main loop never waits for the IOThread with it held.
     */
    QemuMutex lock;

    XpvBackend *core;
    XpbFunc *funcs[XPV_MAX_FUNCS];
    unsigned num_devs;
    uint32_t ref;
    void *page;
    XenEventChannel *evtchn;
    XpvSharedPage pg;
    QEMUTimer *retry;
    QEMUTimer *connect_retry;
    QEMUTimer *aer_timeout;         /* the frontend's time for an AER step */
    bool aer_running;               /* an AER recovery sequence is on */
    char aer_host[XPV_VDEV_STRLEN]; /* the function it recovers */
    int64_t connect_refused_ms;     /* last refusal; 0: none */
    int64_t last_guest_log_ms;
    char *guard_path;               /* libxl's pci backend path, held */
    char log_name[XEN_PCI_LOG_NAME_LEN];
};

static XpvBdf xpb_bdf(const XenPciHost *h)
{
    return xpv_bdf_of(&h->addr);
}

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

    trace_xen_pciback_pv_op(pf ? pf->fn.host.name : xpb_name(s),
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

static void xpb_func_free(XpbFunc *pf)
{
    xen_pci_func_close(&pf->fn);
    g_free(pf);
}

static bool xpb_parse_addr(const char *text, XenPciAddr *a, Error **errp)
{
    if (!xen_pci_addr_parse(text, a)) {
        error_setg(errp, "'%s' is not a host PCI address [DDDD:]BB:DD.F",
                   text);
        return false;
    }
    return true;
}

/* Open, reset, filter and export one host function as dev-@n. */
static XpbFunc *xpb_func_new(XenPciBackPv *s, const char *addr, unsigned n,
                             Error **errp)
{
    g_autofree XpbFunc *pf = g_new0(XpbFunc, 1);
    g_autoptr(GError) gerr = NULL;
    XenPciFuncConfig c = {
        .owner = TYPE_XEN_PCIBACK_PV, .sysfs_root = s->sysfs_root,
        .policy = &s->policy, .domid = XEN_DEVICE(s)->frontend_id,
        .grant = s->assign,
    };
    XpvFuncConfig fc;

    if (!xpb_parse_addr(addr, &c.addr, errp)) {
        return NULL;
    }
    if (!xen_pci_func_open(&pf->fn, &c, errp)) {
        return NULL;
    }
    pf->owner = s;
    pf->n = n;
    /* As pciback: the guest sees dom0's IRQ as the interrupt line. */
    xpf_set_interrupt_line(pf->fn.xpf, pf->fn.host.irq & 0xff);
    fc = (XpvFuncConfig) {
        .host = xpb_bdf(&pf->fn.host), .dev = pf->fn.xpf, .opaque = pf,
        .intx_pirq = xen_pci_func_intx_pirq(&pf->fn),
    };
    if (!xpv_add_func(s->core, &fc, &gerr)) {
        xen_pci_error_from_gerror(errp, gerr, pf->fn.log_name);
        xen_pci_func_close(&pf->fn);
        return NULL;
    }
    trace_xen_pciback_pv_add(pf->fn.host.name, n);
    return g_steal_pointer(&pf);
}

/* ---- xenstore ---- */

static void xpb_publish_func(XenPciBackPv *s, XpbFunc *pf, unsigned state)
{
    XenDevice *xendev = XEN_DEVICE(s);
    const XpvFunc *f = xpv_find_host(s->core, xpb_bdf(&pf->fn.host));
    char key[XPV_KEY_STRLEN], val[XPV_VDEV_STRLEN];

    xpv_format_key(key, "dev", pf->n);
    xen_device_backend_printf(xendev, key, "%s", pf->fn.host.name);
    if (f) {
        xpv_format_key(key, "vdev", pf->n);
        xpv_format_vdev(val, f->guest);
        xen_device_backend_printf(xendev, key, "%s", val);
    }
    xpv_format_key(key, "state", pf->n);
    xen_device_backend_printf(xendev, key, "%u", state);
}

static void xpb_publish_roots(XenPciBackPv *s)
{
    XenDevice *xendev = XEN_DEVICE(s);
    XpvBus roots[XPV_MAX_FUNCS];
    unsigned n = xpv_root_buses(s->core, roots, XPV_MAX_FUNCS), i;
    char key[XPV_KEY_STRLEN], val[XPV_ROOT_STRLEN];

    for (i = 0; i < n; i++) {
        xpv_format_key(key, "root", i);
        xpv_format_root(val, roots[i]);
        xen_device_backend_printf(xendev, key, "%s", val);
    }
    xen_device_backend_printf(xendev, "root_num", "%u", n);
    xen_device_backend_printf(xendev, "num_devs", "%u", s->num_devs);
}

/* ---- the frontend's page and event channel ---- */

static void xpb_retry(void *opaque);

/*
 * Once an op is answered, watch the page up to poll-us for the frontend's
 * next one: xen-pcifront issues its accesses back to back, and an op
 * caught here skips the event's trip through dom0's kernel and this main
 * loop (the event still comes, later, and finds nothing to do). Ops taken
 * this way spend the event budget as events do, and one call takes at most
 * XPB_POLL_MAX_OPS before the main loop runs again.
 */
#define XPB_POLL_MAX_OPS 64
#define XPB_POLL_US_DEFAULT 100
#define XPB_POLL_US_MAX 1000

static void xpb_poll(XenPciBackPv *s)
{
    int64_t window = (int64_t)qatomic_read(&s->poll_us) * SCALE_US;
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
    int64_t since = now;
    unsigned ops = 0;

    while (s->page && window && now - since < window &&
           ops < XPB_POLL_MAX_OPS) {
        if (xpv_op_pending(&s->pg)) {
            if (xpv_handle_event(s->core, &s->pg, now) != XPV_EVENT_DONE) {
                return;     /* throttled: the event will come back to it */
            }
            xen_device_notify_event_channel(XEN_DEVICE(s), s->evtchn, NULL);
            ops++;
            since = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
        } else {
            cpu_relax();
        }
        now = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
    }
}

/* ---- AER recovery, one step at a time, as pciback drives it ---- */

/* pciback gives the frontend 300 s to answer each step. */
#define XPB_AER_STEP_MS (300 * 1000)

static const char *xpb_aer_outcome_name(XpvAerOutcome o)
{
    switch (o) {
    case XPV_AER_SEQ_IDLE:
        return "idle";
    case XPV_AER_SEQ_RUNNING:
        return "running";
    case XPV_AER_SEQ_RECOVERED:
        return "recovered";
    case XPV_AER_SEQ_FAILED:
        return "failed";
    case XPV_AER_SEQ_NO_HANDLER:
        return "no handler";
    case XPV_AER_SEQ_INVALID:
    default:
        return "invalid";
    }
}

static uint64_t xpb_aer_ops(XenPciBackPv *s)
{
    XpvStats st;

    xpv_get_stats(s->core, &st);
    return st.aer_ops;
}

/*
 * Where a sequence stands after a step was posted (@posted) or answered:
 * a new step is announced to the frontend and timed; an ended sequence is
 * traced, and reported when the guest could not recover the function.
 */
static void xpb_aer_report(XenPciBackPv *s, XpvAerOutcome o, bool posted)
{
    if (o == XPV_AER_SEQ_RUNNING) {
        s->aer_running = true;
        if (posted) {
            timer_mod(s->aer_timeout, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
                      XPB_AER_STEP_MS);
            xen_device_notify_event_channel(XEN_DEVICE(s), s->evtchn, NULL);
        }
        return;
    }
    s->aer_running = false;
    timer_del(s->aer_timeout);
    trace_xen_pciback_pv_aer(s->aer_host, xpb_aer_outcome_name(o));
    if (o == XPV_AER_SEQ_FAILED || o == XPV_AER_SEQ_NO_HANDLER) {
        warn_report("%s: AER recovery of %s: %s", s->log_name, s->aer_host,
                    xpb_aer_outcome_name(o));
    }
}

/* The frontend answered (an event came) or its time ran out. */
static void xpb_aer_continue(XenPciBackPv *s, bool timed_out)
{
    uint64_t n;
    XpvAerOutcome o;

    if (!s->aer_running || !s->page) {
        return;
    }
    n = xpb_aer_ops(s);
    o = xpv_aer_recover_poll(s->core, &s->pg, timed_out);
    xpb_aer_report(s, o, xpb_aer_ops(s) != n);
}

static void xpb_aer_timed_out(void *opaque)
{
    XenPciBackPv *s = opaque;

    QEMU_LOCK_GUARD(&s->lock);
    xpb_aer_continue(s, true);
}

static bool xpb_event_locked(XenPciBackPv *s)
{
    XpvEventResult r;
    int64_t now;

    if (!s->page) {
        return false;
    }
    /*
     * In an IOThread this is also the AioContext's poll handler, called
     * again and again while it polls: without an op (or an AER answer)
     * there is nothing to do and nothing to count.
     */
    if (s->iothread && !s->aer_running && !xpv_op_pending(&s->pg)) {
        return false;
    }
    xpb_aer_continue(s, false);
    now = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
    r = xpv_handle_event(s->core, &s->pg, now);
    switch (r) {
    case XPV_EVENT_DONE:
        xen_device_notify_event_channel(XEN_DEVICE(s), s->evtchn, NULL);
        xpb_poll(s);
        return true;
    case XPV_EVENT_THROTTLED:
        /* Bounded work per event: come back when the budget allows. */
        trace_xen_pciback_pv_throttled(xpb_name(s));
        timer_mod(s->retry, now + xpv_event_delay_ns(s->core, now));
        return false;
    case XPV_EVENT_SPURIOUS:
    default:
        return false;
    }
}

static bool xpb_event_channel(void *opaque)
{
    XenPciBackPv *s = opaque;

    QEMU_LOCK_GUARD(&s->lock);
    return xpb_event_locked(s);
}

static void xpb_retry(void *opaque)
{
    xpb_event_channel(opaque);
}

static void xpb_iothread_idle(void *opaque)
{
}

/*
 * Take the event channel out of the IOThread and let a handler that may
 * be running there finish: afterwards only the main loop uses the ring.
 */
static void xpb_detach_iothread(XenPciBackPv *s)
{
    if (!s->iothread || !s->evtchn) {
        return;
    }
    xen_device_set_event_channel_context(XEN_DEVICE(s), s->evtchn, NULL,
                                         &error_abort);
    aio_wait_bh_oneshot(iothread_get_aio_context(s->iothread),
                        xpb_iothread_idle, NULL);
}

static void xpb_disconnect(XenPciBackPv *s)
{
    XenDevice *xendev = XEN_DEVICE(s);
    Error *err = NULL;

    xpb_detach_iothread(s);
    QEMU_LOCK_GUARD(&s->lock);
    if (s->core) {
        xpv_reset(s->core);     /* undo MSI/MSI-X the guest left on */
    }
    if (s->retry) {
        timer_del(s->retry);
    }
    if (s->connect_retry) {
        timer_del(s->connect_retry);
    }
    if (s->aer_timeout) {
        timer_del(s->aer_timeout);     /* xpv_reset ended the sequence */
    }
    s->aer_running = false;
    if (s->evtchn) {
        xen_device_unbind_event_channel(xendev, s->evtchn, &err);
        s->evtchn = NULL;
        if (err) {
            error_report_err(err);
            err = NULL;
        }
    }
    if (s->page) {
        xen_device_unmap_grant_refs(xendev, s->page, &s->ref, 1, &err);
        s->page = NULL;
        if (err) {
            error_report_err(err);
        }
    }
    trace_xen_pciback_pv_disconnect(xpb_name(s));
}

static void xpb_connect(XenPciBackPv *s, Error **errp)
{
    ERRP_GUARD();
    XenDevice *xendev = XEN_DEVICE(s);
    g_autofree char *magic = NULL;
    unsigned port;

    if (xen_device_frontend_scanf(xendev, "pci-op-ref", "%u", &s->ref) != 1 ||
        xen_device_frontend_scanf(xendev, "event-channel", "%u",
                                  &port) != 1) {
        error_setg(errp, "frontend %u: pci-op-ref or event-channel missing",
                   xendev->frontend_id);
        return;
    }
    magic = xen_device_frontend_read(xendev, "magic");
    if (!magic || strcmp(magic, XEN_PCI_MAGIC)) {
        error_setg(errp, "frontend %u: magic '%s', expected '%s'",
                   xendev->frontend_id, magic ?: "", XEN_PCI_MAGIC);
        return;
    }
    xen_device_set_max_grant_refs(xendev, 1, errp);
    if (*errp) {
        return;
    }
    s->page = xen_device_map_grant_refs(xendev, &s->ref, 1,
                                        PROT_READ | PROT_WRITE, errp);
    if (*errp) {
        s->page = NULL;
        return;
    }
    s->pg = (XpvSharedPage) { .sh = s->page };
    s->evtchn = xen_device_bind_event_channel(xendev, port,
                                              xpb_event_channel, s, errp);
    if (*errp) {
        xpb_disconnect(s);
        return;
    }
    xpb_publish_roots(s);
    if (s->iothread) {
        xen_device_set_event_channel_context(xendev, s->evtchn,
                                             iothread_get_aio_context(
                                                 s->iothread),
                                             &error_abort);
    }
    trace_xen_pciback_pv_connect(xpb_name(s), s->ref, port);
}

/*
 * Connect to what the frontend published.  Unusable values are refused
 * (the backend stays where it is) and logged as a rate-limited guest
 * error; the next attempt waits XPB_CONNECT_BACKOFF_MS, so a frontend that
 * keeps retrying costs one attempt per period, including whatever the Xen
 * libraries print about a grant or port that does not map.
 */
static void xpb_try_connect(XenPciBackPv *s)
{
    int64_t now = qemu_clock_get_ms(QEMU_CLOCK_REALTIME);
    Error *err = NULL;

    if (s->page) {
        return;
    }
    if (s->connect_refused_ms &&
        now - s->connect_refused_ms < XPB_CONNECT_BACKOFF_MS) {
        timer_mod(s->connect_retry,
                  s->connect_refused_ms + XPB_CONNECT_BACKOFF_MS);
        return;
    }
    xpb_connect(s, &err);
    if (err) {
        s->connect_refused_ms = now;
        xpb_guest_error(s, "connection refused: %s", error_get_pretty(err));
        error_free(err);
        return;
    }
    s->connect_refused_ms = 0;
    xen_device_backend_set_state(XEN_DEVICE(s), XenbusStateConnected);
}

/* The backoff is over: connect if the frontend still asks for it. */
static void xpb_connect_retry(void *opaque)
{
    XenPciBackPv *s = opaque;
    XenDevice *xendev = XEN_DEVICE(s);
    enum xenbus_state be = xen_device_backend_get_state(xendev);

    if ((xendev->frontend_state == XenbusStateInitialised ||
         xendev->frontend_state == XenbusStateConnected) &&
        be != XenbusStateConnected && be != XenbusStateReconfigured) {
        xpb_try_connect(s);
    }
}

/* Hot add/remove: apply what the frontend has let go of or may now use. */
/* Called with s->lock held. */
static void xpb_reconfigure(XenPciBackPv *s)
{
    unsigned n;

    for (n = 0; n < s->num_devs; n++) {
        XpbFunc *pf = s->funcs[n];

        if (pf && pf->closing) {
            xpv_remove_func(s->core, xpb_bdf(&pf->fn.host), NULL);
            xpb_publish_func(s, pf, XenbusStateClosed);
            trace_xen_pciback_pv_remove(pf->fn.host.name, n);
            xpb_func_free(pf);
            s->funcs[n] = NULL;
        } else if (pf) {
            xpb_publish_func(s, pf, XenbusStateInitialised);
        }
    }
    xpb_publish_roots(s);
}

static void xpb_frontend_changed(XenDevice *xendev,
                                 enum xenbus_state state, Error **errp)
{
    XenPciBackPv *s = XEN_PCIBACK_PV(xendev);
    enum xenbus_state be = xen_device_backend_get_state(xendev);

    trace_xen_pciback_pv_frontend(xpb_name(s), state, be);
    switch (state) {
    case XenbusStateInitialised:
    case XenbusStateConnected:
        if (be == XenbusStateReconfigured) {
            xen_device_backend_set_state(xendev, XenbusStateConnected);
            break;
        }
        if (be != XenbusStateConnected) {
            xpb_try_connect(s);
        }
        break;
    case XenbusStateReconfiguring:
        if (be == XenbusStateReconfiguring) {
            WITH_QEMU_LOCK_GUARD(&s->lock) {
                xpb_reconfigure(s);
            }
            xen_device_backend_set_state(xendev, XenbusStateReconfigured);
        }
        break;
    case XenbusStateClosing:
        xen_device_backend_set_state(xendev, XenbusStateClosing);
        break;
    case XenbusStateClosed:
    case XenbusStateUnknown:
        xpb_disconnect(s);
        xen_device_backend_set_state(xendev, XenbusStateClosed);
        break;
    default:
        break;
    }
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

/* Export the function at @addr as dev-N, the first free N (in @slot). */
static bool xpb_add_host(XenPciBackPv *s, const char *addr, unsigned *slot,
                         Error **errp)
{
    unsigned n;
    XpbFunc *pf;

    for (n = 0; n < XPV_MAX_FUNCS && s->funcs[n]; n++) {
        /* first free dev-N */
    }
    if (n == XPV_MAX_FUNCS) {
        error_setg(errp, "at most %u functions per frontend", XPV_MAX_FUNCS);
        return false;
    }
    pf = xpb_func_new(s, addr, n, errp);
    if (!pf) {
        return false;
    }
    s->funcs[n] = pf;
    s->num_devs = MAX(s->num_devs, n + 1);
    *slot = n;
    return true;
}

/*
 * The slot of the exported function at @addr, however it is written
 * (0:0:4.0 is 0000:00:04.0), XPV_MAX_FUNCS if none.
 */
static unsigned xpb_find_host(XenPciBackPv *s, const char *addr,
                              Error **errp)
{
    XenPciAddr a;
    unsigned n;

    if (!xpb_parse_addr(addr, &a, errp)) {
        return XPV_MAX_FUNCS;
    }
    for (n = 0; n < XPV_MAX_FUNCS; n++) {
        if (s->funcs[n] && xen_pci_addr_equal(&s->funcs[n]->fn.host.addr,
                                              &a)) {
            return n;
        }
    }
    error_setg(errp, "%s is not exported by this backend", addr);
    return XPV_MAX_FUNCS;
}

static void xpb_realize(XenDevice *xendev, Error **errp)
{
    XenPciBackPv *s = XEN_PCIBACK_PV(xendev);
    /* ';' separates, as does ',' (written ",," inside a -device option). */
    g_auto(GStrv) hosts = g_strsplit_set(s->hosts ?: "", ";,", -1);
    XpvMode mode;
    unsigned i, n;

    if (!s->mode || !strcmp(s->mode, "vpci")) {
        mode = XPV_MODE_VPCI;
    } else if (!strcmp(s->mode, "passthrough")) {
        mode = XPV_MODE_PASSTHROUGH;
    } else {
        error_setg(errp, "mode must be 'vpci' or 'passthrough', not '%s'",
                   s->mode);
        return;
    }
    if (!hosts[0]) {
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
    s->retry = timer_new_ns(QEMU_CLOCK_REALTIME, xpb_retry, s);
    s->connect_retry = timer_new_ms(QEMU_CLOCK_REALTIME, xpb_connect_retry, s);
    s->aer_timeout = timer_new_ms(QEMU_CLOCK_REALTIME, xpb_aer_timed_out, s);
    for (i = 0; hosts[i]; i++) {
        if (!*g_strstrip(hosts[i])) {
            continue;
        }
        if (!xpb_add_host(s, hosts[i], &n, errp)) {
            return;     /* unrealize cleans up what was added */
        }
    }
    for (i = 0; i < s->num_devs; i++) {
        xpb_publish_func(s, s->funcs[i], XenbusStateInitialised);
    }
    xpb_publish_roots(s);
    trace_xen_pciback_pv_realize(xendev->name, xendev->frontend_id,
                                 s->num_devs);
}

static void xpb_unrealize(XenDevice *xendev)
{
    XenPciBackPv *s = XEN_PCIBACK_PV(xendev);
    unsigned n;

    xpb_disconnect(s);
    for (n = 0; n < XPV_MAX_FUNCS; n++) {
        if (s->funcs[n]) {
            if (s->core) {
                xpv_remove_func(s->core, xpb_bdf(&s->funcs[n]->fn.host), NULL);
            }
            xpb_func_free(s->funcs[n]);
            s->funcs[n] = NULL;
        }
    }
    g_clear_pointer(&s->core, xpv_backend_free);
    g_clear_pointer(&s->retry, timer_free);
    g_clear_pointer(&s->connect_retry, timer_free);
    g_clear_pointer(&s->aer_timeout, timer_free);
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
        if (s->funcs[n] && !xen_pci_func_set_policy(&s->funcs[n]->fn, p,
                                                    errp)) {
            for (done = 0; done < n; done++) {
                if (s->funcs[done]) {
                    xen_pci_func_set_policy(&s->funcs[done]->fn, &s->policy,
                                            NULL);
                }
            }
            return false;
        }
    }
    return true;
}

static const XenPciPolicyProps xpb_policy_props = {
    .offset = offsetof(XenPciBackPv, policy),
    .apply = xpb_apply_policy,
};

/* Hot add: published as Initialising, exported at Reconfiguring. */
static void xpb_set_add_host(Object *obj, const char *v, Error **errp)
{
    XenPciBackPv *s = XEN_PCIBACK_PV(obj);
    XenDevice *xendev = XEN_DEVICE(obj);
    unsigned n;

    QEMU_LOCK_GUARD(&s->lock);
    if (!DEVICE(obj)->realized) {
        error_setg(errp, "add-host works on a running backend; use hosts");
        return;
    }
    if (!xpb_add_host(s, v, &n, errp)) {
        return;
    }
    xpb_publish_func(s, s->funcs[n], XenbusStateInitialising);
    xen_device_backend_printf(xendev, "num_devs", "%u", s->num_devs);
    if (s->page) {
        xen_device_backend_set_state(xendev, XenbusStateReconfiguring);
    }
}

/* Hot remove: Closing for the frontend, freed at Reconfiguring. */
static void xpb_set_remove_host(Object *obj, const char *v, Error **errp)
{
    XenPciBackPv *s = XEN_PCIBACK_PV(obj);
    XenDevice *xendev = XEN_DEVICE(obj);
    unsigned n;

    QEMU_LOCK_GUARD(&s->lock);
    n = xpb_find_host(s, v, errp);
    if (n == XPV_MAX_FUNCS) {
        return;
    }
    s->funcs[n]->closing = true;
    xpb_publish_func(s, s->funcs[n], XenbusStateClosing);
    if (s->page) {
        xen_device_backend_set_state(xendev, XenbusStateReconfiguring);
    } else {
        xpb_reconfigure(s);
    }
}

static void xpb_get_poll_us(Object *obj, Visitor *v, const char *name,
                            void *opaque, Error **errp)
{
    visit_type_uint32(v, name, &XEN_PCIBACK_PV(obj)->poll_us, errp);
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
    qatomic_set(&XEN_PCIBACK_PV(obj)->poll_us, val);
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
        if (s->funcs[n]) {
            g_string_append_printf(out, " %s:denied=%" PRIu64,
                                   s->funcs[n]->fn.host.name,
                                   xen_pci_func_denied(&s->funcs[n]->fn));
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
            denied += s->funcs[n] ? xen_pci_func_denied(&s->funcs[n]->fn)
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

static void xpb_set_inject_aer(Object *obj, const char *v, Error **errp)
{
    XenPciBackPv *s = XEN_PCIBACK_PV(obj);
    XpvAerOutcome o;
    XenPciAddr a;
    XpvBdf bdf;

    if (!xpb_parse_addr(v, &a, errp)) {
        return;
    }
    QEMU_LOCK_GUARD(&s->lock);
    if (!s->page) {
        error_setg(errp, "no frontend connected");
        return;
    }
    bdf = xpv_bdf_of(&a);
    o = xpv_aer_inject(s->core, &s->pg, bdf, XPV_CHANNEL_NORMAL);
    if (o == XPV_AER_SEQ_INVALID) {
        error_setg(errp, "%s is not exported, or a recovery is under way", v);
        return;
    }
    xpv_format_vdev(s->aer_host, bdf);
    xpb_aer_report(s, o, true);
}

static const Property xpb_properties[] = {
    DEFINE_PROP_STRING("hosts", XenPciBackPv, hosts),
    DEFINE_PROP_STRING("mode", XenPciBackPv, mode),
    DEFINE_PROP_BOOL("assign", XenPciBackPv, assign, false),
    DEFINE_PROP_LINK("iothread", XenPciBackPv, iothread, TYPE_IOTHREAD,
                     IOThread *),
    DEFINE_PROP_STRING("x-sysfs-root", XenPciBackPv, sysfs_root),
};

static void xpb_instance_init(Object *obj)
{
    XEN_PCIBACK_PV(obj)->poll_us = XPB_POLL_US_DEFAULT;
    qemu_mutex_init(&XEN_PCIBACK_PV(obj)->lock);
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
