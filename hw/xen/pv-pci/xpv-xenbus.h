/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The xenbus side of a PV-PCI backend ("xpv-xenbus"): what Linux's
 * xen-pciback does towards xen-pcifront in xenstore.  It publishes each
 * exported function (dev-N, vdev-N, state-N) and the root buses, follows
 * the frontend's state (connect, reconfigure, close), connects with a
 * backoff after a refused attempt, and hot adds and removes functions by
 * address, canonical or not.
 *
 * Plain C on glib: the path gives a seam (XpvXenbusOps) for xenstore, the
 * ring (shared page and event channel) and the host functions, so unit
 * tests drive every transition without Xen.  States are XenbusState
 * values (xen/io/xenbus.h).
 */
#ifndef HW_XEN_PV_PCI_XPV_XENBUS_H
#define HW_XEN_PV_PCI_XPV_XENBUS_H

#include "xpv-core.h"

/* After a refused connection, the next attempt waits this long. */
#define XPV_CONNECT_BACKOFF_MS 1000

typedef struct XpvXenbusOps {
    /*
     * Held around every use of the op core and the functions (the ring
     * may serve ops in another thread); never around connect or
     * disconnect.  Optional.
     */
    void (*lock)(void *opaque);
    void (*unlock)(void *opaque);
    /* A key of the backend's xenstore directory. */
    void (*write)(void *opaque, const char *key, const char *val);
    unsigned (*get_state)(void *opaque);
    void (*set_state)(void *opaque, unsigned state);
    /* Map the frontend's page and bind its event channel: the ring up. */
    bool (*connect)(void *opaque, GError **errp);
    /* The ring down: once it returns, no op is served any more. */
    void (*disconnect)(void *opaque);
    /* Open host function @addr and export it to the op core as dev-@n. */
    void *(*open_func)(void *opaque, const XenPciAddr *addr, unsigned n,
                       GError **errp);
    /* Take it out of the op core and close it. */
    void (*close_func)(void *opaque, void *func);
    /* A connection refused (bad frontend input: a rate-limited error). */
    void (*refused)(void *opaque, const char *why);
    /* Call xpv_xenbus_connect_retry() at @at_ms (realtime, ms). */
    void (*retry_at)(void *opaque, int64_t at_ms);
} XpvXenbusOps;

/* An exported function: dev-N of the backend's directory. */
typedef struct XpvXenbusSlot {
    void *func;              /* the path's; NULL: free */
    XenPciAddr addr;
    bool closing;            /* removal asked, waiting for the frontend */
} XpvXenbusSlot;

typedef struct XpvXenbus {
    const XpvXenbusOps *ops;
    void *opaque;
    XpvBackend *core;
    XpvXenbusSlot slots[XPV_MAX_FUNCS];
    unsigned num_devs;       /* dev-N keys published: highest N + 1 */
    unsigned fe_state;       /* the frontend's, as last seen */
    bool connected;          /* the ring is up */
    int64_t refused_ms;      /* last refused connection, 0: none */
} XpvXenbus;

void xpv_xenbus_init(XpvXenbus *x, XpvBackend *core, const XpvXenbusOps *ops,
                     void *opaque);
/*
 * Export the functions of @hosts ("ADDR[;ADDR...]", ',' also separates)
 * and publish them; on failure the ones opened stay for xpv_xenbus_stop().
 */
bool xpv_xenbus_start(XpvXenbus *x, const char *hosts, GError **errp);
/* Disconnect and close every function. */
void xpv_xenbus_stop(XpvXenbus *x);

/* The frontend's state changed (to @state); @now_ms: realtime, ms. */
void xpv_xenbus_frontend_changed(XpvXenbus *x, unsigned state,
                                 int64_t now_ms);
/* The backoff after a refused connection is over. */
void xpv_xenbus_connect_retry(XpvXenbus *x, int64_t now_ms);

/*
 * Hot add: published Initialising, exported to the frontend when it
 * reconfigures.
 */
bool xpv_xenbus_add_host(XpvXenbus *x, const char *addr, GError **errp);
/*
 * Hot remove: Closing for the frontend, closed when it reconfigures (at
 * once when no frontend is connected).
 */
bool xpv_xenbus_remove_host(XpvXenbus *x, const char *addr, GError **errp);

/* The path's function at dev-@n, NULL if none. */
void *xpv_xenbus_func(const XpvXenbus *x, unsigned n);
/* The path's function at host address @addr (any spelling), NULL if none. */
void *xpv_xenbus_find(const XpvXenbus *x, const char *addr);

#endif
