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
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "hw/pci/pci.h"
#include "system/xen.h"
#include "hw/qdev-properties.h"
#include "hw/xen/xen-bus.h"
#include "hw/xen/xen.h"
#include "pv-pci/xpv-core.h"
#include "xen_pt_common.h"
#include "xen_pt_host.h"
#include "xen_pt_hv.h"
#include "trace.h"

#define TYPE_XEN_PCIBACK_PV "xen-pciback-pv"
OBJECT_DECLARE_SIMPLE_TYPE(XenPciBackPv, XEN_PCIBACK_PV)

/* After a refused connection, the next attempt waits this long. */
#define XPB_CONNECT_BACKOFF_MS 1000

/* One exported host function; @n is its index in xenstore (dev-N). */
typedef struct XpbFunc {
    XenPciBackPv *owner;
    unsigned n;
    XptHost host;
    XpfDevice *xpf;
    bool assigned;
    int intx_pirq;       /* the GSI's pirq in the guest (assign=on) */
    bool closing;        /* removal asked, waiting for the frontend */
    uint64_t denied;
} XpbFunc;

struct XenPciBackPv {
    XenDevice parent_obj;

    /* properties */
    char *hosts;             /* "DDDD:BB:DD.F[;...]" (or ",," escaped) */
    char *mode;              /* "vpci" (default) or "passthrough" */
    bool permissive;
    bool allow_interrupt_control;
    char *quirks;
    bool assign;             /* do what libxl would: IOMMU, permissions */
    uint32_t poll_us;        /* watch the page this long after an answer */
    char *sysfs_root;

    XptHv hv;
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
    char log_name[XPT_LOG_NAME_LEN];
};

static XpvBdf xpb_bdf(const XptHost *h)
{
    return (XpvBdf) { .domain = h->domain, .bus = h->bus,
                      .devfn = PCI_DEVFN(h->dev, h->func) };
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
    xpt_log_guest_errorv(&s->last_guest_log_ms, s->log_name, fmt, ap);
    va_end(ap);
}

/* ---- interrupts through Xen (the op core's hooks) ---- */

static int xpb_enable_msi(void *opaque, const XpvFunc *f, unsigned nvec,
                          int pirqs[])
{
    XpbFunc *pf = f->opaque;
    XenPciBackPv *s = pf->owner;
    XpfMsiState m;
    unsigned i;
    int pirq = -1;

    xpf_msi_state(pf->xpf, &m);
    if (!m.present || s->hv.ops->map_pirq_msi(&s->hv, pf->host.bus,
                                              xpb_bdf(&pf->host).devfn,
                                              nvec, 0, &pirq)) {
        return -1;
    }
    for (i = 0; i < nvec; i++) {
        pirqs[i] = pirq + i;
    }
    xpt_host_cfg_update(&pf->host, m.cap + PCI_MSI_FLAGS, 2,
                        PCI_MSI_FLAGS_QSIZE,
                        PCI_MSI_FLAGS_ENABLE | (ctz32(nvec) << 4));
    trace_xen_pciback_pv_msi(pf->host.name, true, pirq, nvec);
    return 0;
}

static void xpb_unmap_pirqs(XenPciBackPv *s, const XpvFunc *f)
{
    unsigned i;

    for (i = 0; i < f->nvec && i < SH_INFO_MAX_VEC; i++) {
        s->hv.ops->unmap_pirq(&s->hv, f->pirqs[i]);
    }
}

static void xpb_disable_msi(void *opaque, const XpvFunc *f)
{
    XpbFunc *pf = f->opaque;
    XpfMsiState m;

    xpf_msi_state(pf->xpf, &m);
    xpt_host_cfg_update(&pf->host, m.cap + PCI_MSI_FLAGS, 2,
                        PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE, 0);
    xpb_unmap_pirqs(pf->owner, f);
    trace_xen_pciback_pv_msi(pf->host.name, false, f->pirqs[0], f->nvec);
}

static int xpb_enable_msix(void *opaque, const XpvFunc *f,
                           const XpvMsixEntry *entries, unsigned n,
                           int pirqs[])
{
    XpbFunc *pf = f->opaque;
    XenPciBackPv *s = pf->owner;
    XpfMsixState x;
    uint64_t table;
    unsigned i;

    xpf_msix_state(pf->xpf, &x);
    if (!x.present || x.table_bar >= XPF_NUM_BARS) {
        return -1;
    }
    table = pf->host.bars[x.table_bar].addr + x.table_offset;
    for (i = 0; i < n; i++) {
        pirqs[i] = -1;
        if (s->hv.ops->map_pirq_msi(&s->hv, pf->host.bus,
                                    xpb_bdf(&pf->host).devfn,
                                    entries[i].entry, table, &pirqs[i])) {
            while (i--) {
                s->hv.ops->unmap_pirq(&s->hv, pirqs[i]);
            }
            return -1;
        }
    }
    xpt_host_cfg_update(&pf->host, x.cap + PCI_MSIX_FLAGS, 2,
                        PCI_MSIX_FLAGS_MASKALL, PCI_MSIX_FLAGS_ENABLE);
    trace_xen_pciback_pv_msix(pf->host.name, true, n);
    return 0;
}

static void xpb_disable_msix(void *opaque, const XpvFunc *f)
{
    XpbFunc *pf = f->opaque;
    XpfMsixState x;

    xpf_msix_state(pf->xpf, &x);
    xpt_host_cfg_update(&pf->host, x.cap + PCI_MSIX_FLAGS, 2,
                        PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL, 0);
    xpb_unmap_pirqs(pf->owner, f);
    trace_xen_pciback_pv_msix(pf->host.name, false, f->nvec);
}

/* Bad ops are bad guest input: a rate-limited guest error each. */
static void xpb_refused(void *opaque, const XpvFunc *f, uint32_t cmd,
                        int32_t err)
{
    XenPciBackPv *s = opaque;
    const XpbFunc *pf = f ? f->opaque : NULL;

    xpb_guest_error(s, "op %s (%u) for %s refused: XEN_PCI_ERR %d",
                    xpv_op_name(cmd), cmd, pf ? pf->host.name : "no function",
                    err);
}

static const XpvHooks xpb_hooks = {
    .enable_msi = xpb_enable_msi,
    .disable_msi = xpb_disable_msi,
    .enable_msix = xpb_enable_msix,
    .disable_msix = xpb_disable_msix,
    .refused = xpb_refused,
};

/* ---- the engine's events and decisions, per function ---- */

/* As pciback: decode, bus master and INTx disable reach the function. */
static void xpb_event(void *opaque, const XpfEvent *ev)
{
    XpbFunc *pf = opaque;
    const uint32_t follow = PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE;

    trace_xen_pciback_pv_event(pf->host.name, xpf_event_name(ev->kind),
                               ev->old_val, ev->new_val);
    if (ev->kind == XPF_EV_COMMAND && ((ev->old_val ^ ev->new_val) & follow)) {
        xpt_host_cfg_update(&pf->host, PCI_COMMAND, 2, follow,
                            ev->new_val & follow);
    }
}

static void xpb_decision(void *opaque, XpfDecision dec, unsigned off,
                         unsigned size, uint32_t val, const char *why)
{
    XpbFunc *pf = opaque;

    trace_xen_pciback_pv_decision(pf->host.name, xpf_decision_name(dec), off,
                                  size, val, why);
    if (dec == XPF_DEC_DROPPED || dec == XPF_DEC_REFUSED) {
        pf->denied++;
    }
    if (dec == XPF_DEC_REFUSED) {
        xpb_guest_error(pf->owner, "%s: write of 0x%x to 0x%x refused: %s",
                        pf->host.name, val, off, why);
    }
}

static const XpfPathOps xpb_path_ops = {
    .event = xpb_event,
    .decision = xpb_decision,
};

/* ---- functions ---- */

/* What libxl does for a PV guest, when it is not involved. */
static bool xpb_grant(XenPciBackPv *s, XpbFunc *pf, bool allow, Error **errp)
{
    const XptHost *h = &pf->host;
    uint32_t sbdf = (uint32_t)h->domain << 16 | h->bus << 8 |
                    xpb_bdf(h).devfn;
    unsigned i;
    int rc = 0;

    if (allow && s->hv.ops->assign_device(&s->hv, sbdf, true)) {
        error_setg(errp, "%s: assigning to domain %u failed", h->name,
                   XEN_DEVICE(s)->frontend_id);
        return false;
    }
    for (i = 0; i < XPF_NUM_BARS; i++) {
        const XpfBar *b = &h->bars[i];

        if (!b->size) {
            continue;
        }
        rc |= b->io ? s->hv.ops->ioport_permission(&s->hv, b->addr, b->size,
                                                   allow)
                    : s->hv.ops->iomem_permission(&s->hv, b->addr >> 12,
                                                  DIV_ROUND_UP(b->size,
                                                               4096),
                                                  allow);
    }
    if (h->irq && allow) {
        /* As libxl: map the GSI into the guest, then allow that pirq. */
        rc |= s->hv.ops->map_pirq_gsi(&s->hv, h->irq, &pf->intx_pirq);
        rc |= s->hv.ops->irq_permission(&s->hv, pf->intx_pirq, true);
    } else if (h->irq && pf->intx_pirq > 0) {
        s->hv.ops->irq_permission(&s->hv, pf->intx_pirq, false);
        s->hv.ops->unmap_pirq(&s->hv, pf->intx_pirq);
        pf->intx_pirq = 0;
    }
    if (!allow) {
        s->hv.ops->assign_device(&s->hv, sbdf, false);
    }
    if (rc && allow) {
        error_setg(errp, "%s: granting domain %u access failed", h->name,
                   XEN_DEVICE(s)->frontend_id);
        return false;
    }
    pf->assigned = allow;
    return true;
}

static void xpb_func_free(XenPciBackPv *s, XpbFunc *pf)
{
    Error *err = NULL;

    if (pf->xpf && !xpt_host_reset_restore(&pf->host, &err)) {
        error_report_err(err);
    }
    if (pf->assigned) {
        xpb_grant(s, pf, false, NULL);
    }
    g_clear_pointer(&pf->xpf, xpf_device_free);
    xpt_host_close(&pf->host);
    g_free(pf);
}

static bool xpb_parse_bdf(const char *text, unsigned v[4], Error **errp)
{
    char end;

    if (sscanf(text, "%x:%x:%x.%x%c", &v[0], &v[1], &v[2], &v[3],
               &end) != 4 || v[0] > 0xffff || v[1] > 0xff || v[2] > 0x1f ||
        v[3] > 7) {
        error_setg(errp, "'%s' is not a host PCI address DDDD:BB:DD.F", text);
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
    XpfConfig c = {
        .host = &xpt_host_cfg_ops, .path = &xpb_path_ops,
        .policy = { .permissive = s->permissive,
                    .allow_interrupt_control = s->allow_interrupt_control },
    };
    unsigned v[4];
    XpvFuncConfig fc;

    if (!xpb_parse_bdf(addr, v, errp) ||
        !xpt_host_open(&pf->host, s->sysfs_root ?: XPT_SYSFS_ROOT, v[0], v[1],
                       v[2], v[3], errp)) {
        return NULL;
    }
    pf->owner = s;
    pf->n = n;
    c.host_opaque = &pf->host;
    c.path_opaque = pf;
    c.cfg = pf->host.saved;
    c.cfg_len = pf->host.config_size;
    memcpy(c.bars, pf->host.bars, sizeof(c.bars));
    if (!xpt_host_reset_restore(&pf->host, errp)) {
        goto fail;
    }
    pf->xpf = xpf_device_new(&c, &gerr);
    if (!pf->xpf) {
        error_setg(errp, "%s: %s", pf->host.name, gerr->message);
        goto fail;
    }
    if (!xpt_quirks_replace(pf->xpf, NULL, s->quirks, errp)) {
        error_prepend(errp, "%s: ", pf->host.name);
        goto fail;
    }
    /* As pciback: the guest sees dom0's IRQ as the interrupt line. */
    xpf_set_emulated(pf->xpf, PCI_INTERRUPT_LINE, pf->host.irq & 0xff);
    if (s->assign && !xpb_grant(s, pf, true, errp)) {
        goto fail;
    }
    xpt_host_enable_decode(&pf->host);
    fc = (XpvFuncConfig) {
        .host = xpb_bdf(&pf->host), .dev = pf->xpf, .opaque = pf,
        .intx_pirq = pf->host.irq,
    };
    if (!xpv_add_func(s->core, &fc, &gerr)) {
        error_setg(errp, "%s: %s", pf->host.name, gerr->message);
        goto fail;
    }
    trace_xen_pciback_pv_add(pf->host.name, n);
    return g_steal_pointer(&pf);

fail:
    if (pf->assigned) {
        xpb_grant(s, pf, false, NULL);
    }
    g_clear_pointer(&pf->xpf, xpf_device_free);
    xpt_host_close(&pf->host);
    return NULL;
}

/* ---- xenstore ---- */

static void xpb_publish_func(XenPciBackPv *s, XpbFunc *pf, unsigned state)
{
    XenDevice *xendev = XEN_DEVICE(s);
    const XpvFunc *f = xpv_find_host(s->core, xpb_bdf(&pf->host));
    char key[XPV_KEY_STRLEN], val[XPV_VDEV_STRLEN];

    xpv_format_key(key, "dev", pf->n);
    xen_device_backend_printf(xendev, key, "%s", pf->host.name);
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
    int64_t window = (int64_t)s->poll_us * SCALE_US;
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
    xpb_aer_continue(opaque, true);
}

static bool xpb_event_channel(void *opaque)
{
    XenPciBackPv *s = opaque;
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
    XpvEventResult r;

    if (!s->page) {
        return false;
    }
    xpb_aer_continue(s, false);
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

static void xpb_retry(void *opaque)
{
    xpb_event_channel(opaque);
}

static void xpb_disconnect(XenPciBackPv *s)
{
    XenDevice *xendev = XEN_DEVICE(s);
    Error *err = NULL;

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
static void xpb_reconfigure(XenPciBackPv *s)
{
    unsigned n;

    for (n = 0; n < s->num_devs; n++) {
        XpbFunc *pf = s->funcs[n];

        if (pf && pf->closing) {
            xpv_remove_func(s->core, xpb_bdf(&pf->host), NULL);
            xpb_publish_func(s, pf, XenbusStateClosed);
            trace_xen_pciback_pv_remove(pf->host.name, n);
            xpb_func_free(s, pf);
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
            xpb_reconfigure(s);
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

/* ---- realize / unrealize ---- */

static char *xpb_get_name(XenDevice *xendev, Error **errp)
{
    return g_strdup("0");   /* xen-pcifront drives device/pci/0 only */
}

static bool xpb_add_host(XenPciBackPv *s, const char *addr, Error **errp)
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
    return true;
}

static void xpb_realize(XenDevice *xendev, Error **errp)
{
    XenPciBackPv *s = XEN_PCIBACK_PV(xendev);
    /* ';' separates, as does ',' (written ",," inside a -device option). */
    g_auto(GStrv) hosts = g_strsplit_set(s->hosts ?: "", ";,", -1);
    XpvMode mode;
    unsigned i;

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
    if (xen_enabled()) {
        xpt_hv_init(&s->hv, xendev->frontend_id);
    } else {
        xpt_hv_init_recording(&s->hv);
    }
    s->core = xpv_backend_new(mode, &xpb_hooks, s);
    s->retry = timer_new_ns(QEMU_CLOCK_REALTIME, xpb_retry, s);
    s->connect_retry = timer_new_ms(QEMU_CLOCK_REALTIME, xpb_connect_retry, s);
    s->aer_timeout = timer_new_ms(QEMU_CLOCK_REALTIME, xpb_aer_timed_out, s);
    for (i = 0; hosts[i]; i++) {
        if (!*g_strstrip(hosts[i])) {
            continue;
        }
        if (!xpb_add_host(s, hosts[i], errp)) {
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
                xpv_remove_func(s->core, xpb_bdf(&s->funcs[n]->host), NULL);
            }
            xpb_func_free(s, s->funcs[n]);
            s->funcs[n] = NULL;
        }
    }
    g_clear_pointer(&s->core, xpv_backend_free);
    g_clear_pointer(&s->retry, timer_free);
    g_clear_pointer(&s->connect_retry, timer_free);
    g_clear_pointer(&s->aer_timeout, timer_free);
    xpt_hv_cleanup(&s->hv);
}

/* ---- run-time properties ---- */

static void xpb_apply_policy(XenPciBackPv *s)
{
    XpfPolicy p = {
        .permissive = s->permissive,
        .allow_interrupt_control = s->allow_interrupt_control,
    };
    unsigned n;

    for (n = 0; n < XPV_MAX_FUNCS; n++) {
        if (s->funcs[n]) {
            xpf_set_policy(s->funcs[n]->xpf, &p);
        }
    }
}

static bool xpb_get_permissive(Object *obj, Error **errp)
{
    return XEN_PCIBACK_PV(obj)->permissive;
}

static void xpb_set_permissive(Object *obj, bool v, Error **errp)
{
    XEN_PCIBACK_PV(obj)->permissive = v;
    xpb_apply_policy(XEN_PCIBACK_PV(obj));
}

static bool xpb_get_intr_control(Object *obj, Error **errp)
{
    return XEN_PCIBACK_PV(obj)->allow_interrupt_control;
}

static void xpb_set_intr_control(Object *obj, bool v, Error **errp)
{
    XEN_PCIBACK_PV(obj)->allow_interrupt_control = v;
    xpb_apply_policy(XEN_PCIBACK_PV(obj));
}

static char *xpb_get_quirks(Object *obj, Error **errp)
{
    return g_strdup(XEN_PCIBACK_PV(obj)->quirks ?: "");
}

/* The same quirks for every function; all functions or none change. */
static void xpb_set_quirks(Object *obj, const char *v, Error **errp)
{
    XenPciBackPv *s = XEN_PCIBACK_PV(obj);
    unsigned n, done;

    for (n = 0; n < XPV_MAX_FUNCS; n++) {
        if (s->funcs[n] &&
            !xpt_quirks_replace(s->funcs[n]->xpf, s->quirks, v, errp)) {
            error_prepend(errp, "%s: ", s->funcs[n]->host.name);
            for (done = 0; done < n; done++) {
                if (s->funcs[done]) {
                    xpt_quirks_replace(s->funcs[done]->xpf, v, s->quirks,
                                       NULL);
                }
            }
            return;
        }
    }
    g_free(s->quirks);
    s->quirks = g_strdup(v);
}

/* Hot add: published as Initialising, exported at Reconfiguring. */
static void xpb_set_add_host(Object *obj, const char *v, Error **errp)
{
    XenPciBackPv *s = XEN_PCIBACK_PV(obj);
    XenDevice *xendev = XEN_DEVICE(obj);
    unsigned before = s->num_devs, n;

    if (!DEVICE(obj)->realized) {
        error_setg(errp, "add-host works on a running backend; use hosts");
        return;
    }
    if (!xpb_add_host(s, v, errp)) {
        return;
    }
    for (n = 0; n < XPV_MAX_FUNCS; n++) {
        if (s->funcs[n] && !strcmp(s->funcs[n]->host.name, v)) {
            break;
        }
    }
    if (n < XPV_MAX_FUNCS) {
        xpb_publish_func(s, s->funcs[n], XenbusStateInitialising);
    }
    if (s->num_devs != before || n < XPV_MAX_FUNCS) {
        xen_device_backend_printf(xendev, "num_devs", "%u", s->num_devs);
    }
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

    for (n = 0; n < XPV_MAX_FUNCS; n++) {
        if (s->funcs[n] && !strcmp(s->funcs[n]->host.name, v)) {
            break;
        }
    }
    if (n == XPV_MAX_FUNCS) {
        error_setg(errp, "%s is not exported by this backend", v);
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
    XEN_PCIBACK_PV(obj)->poll_us = val;
}

static char *xpb_get_stats(Object *obj, Error **errp)
{
    XenPciBackPv *s = XEN_PCIBACK_PV(obj);
    GString *out = g_string_new(NULL);
    XpvStats st = { 0 };
    unsigned n;

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
                                   s->funcs[n]->host.name,
                                   s->funcs[n]->denied);
        }
    }
    return g_string_free(out, false);
}

static void xpb_set_inject_aer(Object *obj, const char *v, Error **errp)
{
    XenPciBackPv *s = XEN_PCIBACK_PV(obj);
    XpvAerOutcome o;
    unsigned b[4];
    XpvBdf bdf;

    if (!xpb_parse_bdf(v, b, errp)) {
        return;
    }
    if (!s->page) {
        error_setg(errp, "no frontend connected");
        return;
    }
    bdf = (XpvBdf) { .domain = b[0], .bus = b[1],
                     .devfn = PCI_DEVFN(b[2], b[3]) };
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
    DEFINE_PROP_STRING("x-sysfs-root", XenPciBackPv, sysfs_root),
};

static void xpb_instance_init(Object *obj)
{
    XEN_PCIBACK_PV(obj)->allow_interrupt_control = false;
    XEN_PCIBACK_PV(obj)->poll_us = XPB_POLL_US_DEFAULT;
}

static void xpb_instance_finalize(Object *obj)
{
    g_free(XEN_PCIBACK_PV(obj)->quirks);
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
    object_class_property_add_bool(klass, "permissive", xpb_get_permissive,
                                   xpb_set_permissive);
    object_class_property_add_bool(klass, "allow-interrupt-control",
                                   xpb_get_intr_control,
                                   xpb_set_intr_control);
    object_class_property_add_str(klass, "quirks", xpb_get_quirks,
                                  xpb_set_quirks);
    object_class_property_add_str(klass, "add-host", NULL, xpb_set_add_host);
    object_class_property_add_str(klass, "remove-host", NULL,
                                  xpb_set_remove_host);
    object_class_property_add_str(klass, "stats", xpb_get_stats, NULL);
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
