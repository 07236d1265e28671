/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * xen-pciback-pv: a PV-PCI backend in QEMU for xen-pcifront guests, in two
 * parts as xen-block and its dataplane: the device (xen-pciback-pv.c: QOM,
 * xenstore through the QEMU-free xenbus state machine, hot plug, libxl's
 * guard) and the ring (xen-pciback-pv-ring.c: the frontend's page, its
 * event channel, the IOThread, polling and AER timing).
 */
#ifndef HW_XEN_XEN_PCIBACK_PV_H
#define HW_XEN_XEN_PCIBACK_PV_H

#include "hw/xen/xen-bus.h"
#include "qemu/thread.h"
#include "qemu/timer.h"
#include "system/iothread.h"
#include "pv-pci/xpv-core.h"

/*
 * The ring.  With an IOThread, ops are served there while the main loop
 * connects, reconfigures and answers QOM: everything the op path touches
 * (the op core, the functions, the page, the timers' state) is used with
 * *@lock held, and the main loop never waits for the IOThread with it held.
 */
typedef struct XpbRing {
    XenDevice *xendev;
    XpvBackend *core;
    QemuMutex *lock;
    IOThread *iothread;      /* serve the ring there, not in the main loop */
    uint32_t poll_us;        /* watch the page this long after an answer */
    const char *log_name;
    uint32_t ref;
    void *page;              /* NULL: not connected */
    XenEventChannel *evtchn;
    XpvSharedPage pg;
    QEMUTimer *retry;               /* the event budget's retry */
    QEMUTimer *aer_timeout;         /* the frontend's time for an AER step */
    bool aer_running;               /* an AER recovery sequence is on */
    char aer_host[XPV_VDEV_STRLEN]; /* the function it recovers */
} XpbRing;

#define XPB_POLL_US_DEFAULT 100
#define XPB_POLL_US_MAX 1000

void xpb_ring_init(XpbRing *r, XenDevice *xendev, XpvBackend *core,
                   QemuMutex *lock, IOThread *iothread,
                   const char *log_name);
void xpb_ring_cleanup(XpbRing *r);
/* Map the frontend's page and bind its event channel (not locked). */
bool xpb_ring_connect(XpbRing *r, Error **errp);
/* Once it returns, no op is served (not locked: waits for the IOThread). */
void xpb_ring_disconnect(XpbRing *r);
/* Start AER recovery of the exported @host (locked). */
bool xpb_ring_inject_aer(XpbRing *r, XpvBdf host, Error **errp);

#endif
