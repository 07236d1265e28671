/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The xenbus side of a PV-PCI backend (see xpv-xenbus.h).
 */
#include <stdio.h>
#include <xen/io/xenbus.h>
#include "xpv-xenbus.h"

static void xpvx_lock(XpvXenbus *x)
{
    if (x->ops->lock) {
        x->ops->lock(x->opaque);
    }
}

static void xpvx_unlock(XpvXenbus *x)
{
    if (x->ops->unlock) {
        x->ops->unlock(x->opaque);
    }
}

static void xpvx_write_key(XpvXenbus *x, const char *prefix, unsigned n,
                           const char *val)
{
    char key[XPV_KEY_STRLEN];

    if (xpv_format_key(key, prefix, n)) {
        x->ops->write(x->opaque, key, val);
    }
}

static void xpvx_write_uint(XpvXenbus *x, const char *key, unsigned v)
{
    char val[16];

    snprintf(val, sizeof(val), "%u", v);
    x->ops->write(x->opaque, key, val);
}

/* ---- publishing (locked) ---- */

/* dev-N (dom0's address), vdev-N (the guest's, once exported), state-N. */
static void xpvx_publish_func(XpvXenbus *x, unsigned n, unsigned state)
{
    const XpvXenbusSlot *sl = &x->slots[n];
    const XpvFunc *f = xpv_find_host(x->core, xpv_bdf_of(&sl->addr));
    char val[XPV_VDEV_STRLEN], st[4];

    xpvx_write_key(x, "dev", n, xen_pci_addr_format(&sl->addr, val));
    if (f) {
        xpvx_write_key(x, "vdev", n, xpv_format_vdev(val, f->guest));
    }
    if (xpv_format_state(st, state)) {
        xpvx_write_key(x, "state", n, st);
    }
}

static void xpvx_publish_roots(XpvXenbus *x)
{
    XpvBus roots[XPV_MAX_FUNCS];
    unsigned n = xpv_root_buses(x->core, roots, XPV_MAX_FUNCS), i;
    char val[XPV_ROOT_STRLEN];

    for (i = 0; i < n; i++) {
        xpv_format_root(val, roots[i]);
        xpvx_write_key(x, "root", i, val);
    }
    xpvx_write_uint(x, "root_num", n);
    xpvx_write_uint(x, "num_devs", x->num_devs);
}

/* ---- functions (locked) ---- */

static unsigned xpvx_slot_of(const XpvXenbus *x, const XenPciAddr *a)
{
    unsigned n;

    for (n = 0; n < XPV_MAX_FUNCS; n++) {
        if (x->slots[n].func && xen_pci_addr_equal(&x->slots[n].addr, a)) {
            return n;
        }
    }
    return XPV_MAX_FUNCS;
}

static bool xpvx_parse(const char *text, XenPciAddr *a, GError **errp)
{
    if (!xen_pci_addr_parse(text, a)) {
        g_set_error(errp, XPV_ERROR, 0, "'%s' is not a host PCI address "
                    "[DDDD:]BB:DD.F", text);
        return false;
    }
    return true;
}

/* Open the function at @text as dev-N, the first free N, in *@slot. */
static bool xpvx_add(XpvXenbus *x, const char *text, unsigned *slot,
                     GError **errp)
{
    char name[XEN_PCI_ADDR_STRLEN];
    XenPciAddr a;
    unsigned n;
    void *func;

    if (!xpvx_parse(text, &a, errp)) {
        return false;
    }
    if (xpvx_slot_of(x, &a) < XPV_MAX_FUNCS) {
        g_set_error(errp, XPV_ERROR, 0, "%s is already exported by this "
                    "backend", xen_pci_addr_format(&a, name));
        return false;
    }
    for (n = 0; n < XPV_MAX_FUNCS && x->slots[n].func; n++) {
        /* the first free dev-N */
    }
    if (n == XPV_MAX_FUNCS) {
        g_set_error(errp, XPV_ERROR, 0, "at most %u functions per frontend",
                    XPV_MAX_FUNCS);
        return false;
    }
    func = x->ops->open_func(x->opaque, &a, n, errp);
    if (!func) {
        return false;
    }
    x->slots[n] = (XpvXenbusSlot) { .func = func, .addr = a };
    x->num_devs = MAX(x->num_devs, n + 1);
    *slot = n;
    return true;
}

static void xpvx_close(XpvXenbus *x, unsigned n)
{
    x->ops->close_func(x->opaque, x->slots[n].func);
    x->slots[n].func = NULL;
}

/* Hot add and remove: apply what the frontend let go of or may now use. */
static void xpvx_reconfigure(XpvXenbus *x)
{
    unsigned n;

    for (n = 0; n < x->num_devs; n++) {
        XpvXenbusSlot *sl = &x->slots[n];

        if (sl->func && sl->closing) {
            xpvx_close(x, n);
            xpvx_publish_func(x, n, XenbusStateClosed);
        } else if (sl->func) {
            xpvx_publish_func(x, n, XenbusStateInitialised);
        }
    }
    xpvx_publish_roots(x);
}

/* ---- the ring (not locked) ---- */

static void xpvx_disconnect(XpvXenbus *x)
{
    x->ops->disconnect(x->opaque);
    xpvx_lock(x);
    xpv_reset(x->core);     /* undo MSI/MSI-X the guest left on */
    xpvx_unlock(x);
    x->connected = false;
}

/*
 * Connect to what the frontend published.  A refused connection (bad
 * frontend input) leaves the backend where it is; the next attempt waits
 * XPV_CONNECT_BACKOFF_MS, so a frontend that keeps retrying costs one
 * attempt per period.
 */
static void xpvx_try_connect(XpvXenbus *x, int64_t now_ms)
{
    g_autoptr(GError) err = NULL;

    if (x->connected) {
        return;
    }
    if (x->refused_ms && now_ms - x->refused_ms < XPV_CONNECT_BACKOFF_MS) {
        x->ops->retry_at(x->opaque, x->refused_ms + XPV_CONNECT_BACKOFF_MS);
        return;
    }
    if (!x->ops->connect(x->opaque, &err)) {
        x->refused_ms = now_ms;
        x->ops->refused(x->opaque, err ? err->message : "refused");
        return;
    }
    x->connected = true;
    x->refused_ms = 0;
    xpvx_lock(x);
    xpvx_publish_roots(x);
    xpvx_unlock(x);
    x->ops->set_state(x->opaque, XenbusStateConnected);
}

/* ---- entry points ---- */

void xpv_xenbus_init(XpvXenbus *x, XpvBackend *core, const XpvXenbusOps *ops,
                     void *opaque)
{
    *x = (XpvXenbus) { .ops = ops, .opaque = opaque, .core = core };
}

bool xpv_xenbus_start(XpvXenbus *x, const char *hosts, GError **errp)
{
    g_auto(GStrv) list = g_strsplit_set(hosts ? hosts : "", ";,", -1);
    bool ok = true;
    unsigned i, n;

    xpvx_lock(x);
    for (i = 0; ok && list[i]; i++) {
        if (*g_strstrip(list[i])) {
            ok = xpvx_add(x, list[i], &n, errp);
        }
    }
    if (ok && !x->num_devs) {
        g_set_error(errp, XPV_ERROR, 0, "no host function given");
        ok = false;
    }
    for (n = 0; ok && n < x->num_devs; n++) {
        xpvx_publish_func(x, n, XenbusStateInitialised);
    }
    if (ok) {
        xpvx_publish_roots(x);
    }
    xpvx_unlock(x);
    return ok;
}

void xpv_xenbus_stop(XpvXenbus *x)
{
    unsigned n;

    xpvx_disconnect(x);
    xpvx_lock(x);
    for (n = 0; n < XPV_MAX_FUNCS; n++) {
        if (x->slots[n].func) {
            xpvx_close(x, n);
        }
    }
    xpvx_unlock(x);
}

void xpv_xenbus_frontend_changed(XpvXenbus *x, unsigned state,
                                 int64_t now_ms)
{
    unsigned be = x->ops->get_state(x->opaque);

    x->fe_state = state;
    switch (state) {
    case XenbusStateInitialised:
    case XenbusStateConnected:
        if (be == XenbusStateReconfigured) {
            x->ops->set_state(x->opaque, XenbusStateConnected);
        } else if (be != XenbusStateConnected) {
            xpvx_try_connect(x, now_ms);
        }
        break;
    case XenbusStateReconfiguring:
        if (be == XenbusStateReconfiguring) {
            xpvx_lock(x);
            xpvx_reconfigure(x);
            xpvx_unlock(x);
            x->ops->set_state(x->opaque, XenbusStateReconfigured);
        }
        break;
    case XenbusStateClosing:
        x->ops->set_state(x->opaque, XenbusStateClosing);
        break;
    case XenbusStateClosed:
    case XenbusStateUnknown:
        xpvx_disconnect(x);
        x->ops->set_state(x->opaque, XenbusStateClosed);
        break;
    default:
        break;
    }
}

void xpv_xenbus_connect_retry(XpvXenbus *x, int64_t now_ms)
{
    unsigned be = x->ops->get_state(x->opaque);

    if ((x->fe_state == XenbusStateInitialised ||
         x->fe_state == XenbusStateConnected) &&
        be != XenbusStateConnected && be != XenbusStateReconfigured) {
        xpvx_try_connect(x, now_ms);
    }
}

bool xpv_xenbus_add_host(XpvXenbus *x, const char *addr, GError **errp)
{
    unsigned n;
    bool ok;

    xpvx_lock(x);
    ok = xpvx_add(x, addr, &n, errp);
    if (ok) {
        xpvx_publish_func(x, n, XenbusStateInitialising);
        xpvx_write_uint(x, "num_devs", x->num_devs);
    }
    xpvx_unlock(x);
    if (ok && x->connected) {
        x->ops->set_state(x->opaque, XenbusStateReconfiguring);
    }
    return ok;
}

bool xpv_xenbus_remove_host(XpvXenbus *x, const char *addr, GError **errp)
{
    XenPciAddr a;
    unsigned n;

    if (!xpvx_parse(addr, &a, errp)) {
        return false;
    }
    xpvx_lock(x);
    n = xpvx_slot_of(x, &a);
    if (n == XPV_MAX_FUNCS) {
        xpvx_unlock(x);
        g_set_error(errp, XPV_ERROR, 0, "%s is not exported by this backend",
                    addr);
        return false;
    }
    x->slots[n].closing = true;
    xpvx_publish_func(x, n, XenbusStateClosing);
    if (!x->connected) {
        xpvx_reconfigure(x);
    }
    xpvx_unlock(x);
    if (x->connected) {
        x->ops->set_state(x->opaque, XenbusStateReconfiguring);
    }
    return true;
}

void *xpv_xenbus_func(const XpvXenbus *x, unsigned n)
{
    return n < XPV_MAX_FUNCS ? x->slots[n].func : NULL;
}

void *xpv_xenbus_find(const XpvXenbus *x, const char *addr)
{
    XenPciAddr a;
    unsigned n;

    if (!xen_pci_addr_parse(addr, &a)) {
        return NULL;
    }
    n = xpvx_slot_of(x, &a);
    return n < XPV_MAX_FUNCS ? x->slots[n].func : NULL;
}
