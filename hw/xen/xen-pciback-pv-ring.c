/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * xen-pciback-pv's ring: the frontend's shared page and event channel,
 * served in the main loop or an IOThread (see xen-pciback-pv.h).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/lockable.h"
#include "qemu/main-loop.h"
#include "block/aio-wait.h"
#include "hw/xen/xen-bus-helper.h"
#include "xen-pciback-pv.h"
#include "trace.h"

/* ---- polling ---- */

/*
 * Once an op is answered, watch the page up to poll-us for the frontend's
 * next one: xen-pcifront issues its accesses back to back, and an op
 * caught here skips the event's trip through dom0's kernel and this main
 * loop (the event still comes, later, and finds nothing to do). Ops taken
 * this way spend the event budget as events do, and one call takes at most
 * XPB_POLL_MAX_OPS before the main loop runs again.
 */
#define XPB_POLL_MAX_OPS 64

static void xpb_poll(XpbRing *r)
{
    int64_t window = (int64_t)qatomic_read(&r->poll_us) * SCALE_US;
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
    int64_t since = now;
    unsigned ops = 0;

    while (r->page && window && now - since < window &&
           ops < XPB_POLL_MAX_OPS) {
        if (xpv_op_pending(&r->pg)) {
            if (xpv_handle_event(r->core, &r->pg, now) != XPV_EVENT_DONE) {
                return;     /* throttled: the event will come back to it */
            }
            xen_device_notify_event_channel(r->xendev, r->evtchn, NULL);
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

static uint64_t xpb_aer_ops(XpbRing *r)
{
    XpvStats st;

    xpv_get_stats(r->core, &st);
    return st.aer_ops;
}

/*
 * Where a sequence stands after a step was posted (@posted) or answered:
 * a new step is announced to the frontend and timed; an ended sequence is
 * traced, and reported when the guest could not recover the function.
 */
static void xpb_aer_report(XpbRing *r, XpvAerOutcome o, bool posted)
{
    if (o == XPV_AER_SEQ_RUNNING) {
        r->aer_running = true;
        if (posted) {
            timer_mod(r->aer_timeout, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
                      XPB_AER_STEP_MS);
            xen_device_notify_event_channel(r->xendev, r->evtchn, NULL);
        }
        return;
    }
    r->aer_running = false;
    timer_del(r->aer_timeout);
    trace_xen_pciback_pv_aer(r->aer_host, xpb_aer_outcome_name(o));
    if (o == XPV_AER_SEQ_FAILED || o == XPV_AER_SEQ_NO_HANDLER) {
        warn_report("%s: AER recovery of %s: %s", r->log_name, r->aer_host,
                    xpb_aer_outcome_name(o));
    }
}

/* The frontend answered (an event came) or its time ran out. */
static void xpb_aer_continue(XpbRing *r, bool timed_out)
{
    uint64_t n;
    XpvAerOutcome o;

    if (!r->aer_running || !r->page) {
        return;
    }
    n = xpb_aer_ops(r);
    o = xpv_aer_recover_poll(r->core, &r->pg, timed_out);
    xpb_aer_report(r, o, xpb_aer_ops(r) != n);
}

static void xpb_aer_timed_out(void *opaque)
{
    XpbRing *r = opaque;

    QEMU_LOCK_GUARD(r->lock);
    xpb_aer_continue(r, true);
}

bool xpb_ring_inject_aer(XpbRing *r, XpvBdf host, Error **errp)
{
    char name[XPV_VDEV_STRLEN];
    XpvAerOutcome o;

    if (!r->page) {
        error_setg(errp, "no frontend connected");
        return false;
    }
    o = xpv_aer_inject(r->core, &r->pg, host, XPV_CHANNEL_NORMAL);
    if (o == XPV_AER_SEQ_INVALID) {
        error_setg(errp, "%s is not exported, or a recovery is under way",
                   xpv_format_vdev(name, host));
        return false;
    }
    xpv_format_vdev(r->aer_host, host);
    xpb_aer_report(r, o, true);
    return true;
}

/* ---- events ---- */

static bool xpb_event_locked(XpbRing *r)
{
    XpvEventResult res;
    int64_t now;

    if (!r->page) {
        return false;
    }
    /*
     * In an IOThread this is also the AioContext's poll handler, called
     * again and again while it polls: without an op (or an AER answer)
     * there is nothing to do and nothing to count.
     */
    if (r->iothread && !r->aer_running && !xpv_op_pending(&r->pg)) {
        return false;
    }
    xpb_aer_continue(r, false);
    now = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
    res = xpv_handle_event(r->core, &r->pg, now);
    switch (res) {
    case XPV_EVENT_DONE:
        xen_device_notify_event_channel(r->xendev, r->evtchn, NULL);
        xpb_poll(r);
        return true;
    case XPV_EVENT_THROTTLED:
        /* Bounded work per event: come back when the budget allows. */
        trace_xen_pciback_pv_throttled(r->xendev->name);
        timer_mod(r->retry, now + xpv_event_delay_ns(r->core, now));
        return false;
    case XPV_EVENT_SPURIOUS:
    default:
        return false;
    }
}

static bool xpb_event_channel(void *opaque)
{
    XpbRing *r = opaque;

    QEMU_LOCK_GUARD(r->lock);
    return xpb_event_locked(r);
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
static void xpb_detach_iothread(XpbRing *r)
{
    if (!r->iothread || !r->evtchn) {
        return;
    }
    xen_device_set_event_channel_context(r->xendev, r->evtchn, NULL,
                                         &error_abort);
    aio_wait_bh_oneshot(iothread_get_aio_context(r->iothread),
                        xpb_iothread_idle, NULL);
}

/* ---- connect and disconnect ---- */

void xpb_ring_disconnect(XpbRing *r)
{
    Error *err = NULL;

    xpb_detach_iothread(r);
    QEMU_LOCK_GUARD(r->lock);
    if (r->retry) {
        timer_del(r->retry);
    }
    if (r->aer_timeout) {
        timer_del(r->aer_timeout);
    }
    r->aer_running = false;
    if (r->evtchn) {
        xen_device_unbind_event_channel(r->xendev, r->evtchn, &err);
        r->evtchn = NULL;
        if (err) {
            error_report_err(err);
            err = NULL;
        }
    }
    if (r->page) {
        xen_device_unmap_grant_refs(r->xendev, r->page, &r->ref, 1, &err);
        r->page = NULL;
        if (err) {
            error_report_err(err);
        }
    }
    trace_xen_pciback_pv_disconnect(r->xendev->name);
}

/* What the frontend published: its page's grant and event channel. */
static bool xpb_ring_frontend_keys(XpbRing *r, unsigned *port, Error **errp)
{
    XenDevice *xendev = r->xendev;
    g_autofree char *magic = NULL;

    if (xen_device_frontend_scanf(xendev, "pci-op-ref", "%u", &r->ref) != 1 ||
        xen_device_frontend_scanf(xendev, "event-channel", "%u", port) != 1) {
        error_setg(errp, "frontend %u: pci-op-ref or event-channel missing",
                   xendev->frontend_id);
        return false;
    }
    magic = xen_device_frontend_read(xendev, "magic");
    if (!magic || strcmp(magic, XEN_PCI_MAGIC)) {
        error_setg(errp, "frontend %u: magic '%s', expected '%s'",
                   xendev->frontend_id, magic ?: "", XEN_PCI_MAGIC);
        return false;
    }
    return true;
}

bool xpb_ring_connect(XpbRing *r, Error **errp)
{
    ERRP_GUARD();
    XenDevice *xendev = r->xendev;
    unsigned port;

    if (!xpb_ring_frontend_keys(r, &port, errp)) {
        return false;
    }
    xen_device_set_max_grant_refs(xendev, 1, errp);
    if (*errp) {
        return false;
    }
    r->page = xen_device_map_grant_refs(xendev, &r->ref, 1,
                                        PROT_READ | PROT_WRITE, errp);
    if (*errp) {
        r->page = NULL;
        return false;
    }
    r->pg = (XpvSharedPage) { .sh = r->page };
    r->evtchn = xen_device_bind_event_channel(xendev, port,
                                              xpb_event_channel, r, errp);
    if (*errp) {
        xpb_ring_disconnect(r);
        return false;
    }
    if (r->iothread) {
        xen_device_set_event_channel_context(xendev, r->evtchn,
                                             iothread_get_aio_context(
                                                 r->iothread),
                                             &error_abort);
    }
    trace_xen_pciback_pv_connect(xendev->name, r->ref, port);
    return true;
}

void xpb_ring_init(XpbRing *r, XenDevice *xendev, XpvBackend *core,
                   QemuMutex *lock, IOThread *iothread, const char *log_name)
{
    uint32_t poll_us = r->poll_us;

    *r = (XpbRing) {
        .xendev = xendev, .core = core, .lock = lock, .iothread = iothread,
        .poll_us = poll_us, .log_name = log_name,
    };
    r->retry = timer_new_ns(QEMU_CLOCK_REALTIME, xpb_retry, r);
    r->aer_timeout = timer_new_ms(QEMU_CLOCK_REALTIME, xpb_aer_timed_out, r);
}

void xpb_ring_cleanup(XpbRing *r)
{
    g_clear_pointer(&r->retry, timer_free);
    g_clear_pointer(&r->aer_timeout, timer_free);
}
