/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Granting a domain one host PCI function (see xen-pci-grant.h).
 */
#include <errno.h>
#include "xen-pci-grant.h"

#define XEN_PCI_GRANT_PAGE 4096u

GQuark xen_pci_grant_error_quark(void)
{
    return g_quark_from_static_string("xen-pci-grant-error");
}

static int bar_access(XenPciHv *hv, const XpfBar *b, bool allow)
{
    if (b->io) {
        return hv->ops->ioport_permission(hv, b->addr, b->size, allow);
    }
    return hv->ops->iomem_permission(hv, b->addr / XEN_PCI_GRANT_PAGE,
                                     (b->size + XEN_PCI_GRANT_PAGE - 1) /
                                     XEN_PCI_GRANT_PAGE, allow);
}

/*
 * The GSIs granted to domains: (domid, gsi) -> the pirq and how many
 * granted functions use it.
 */
typedef struct XenPciGsiUse {
    int pirq;
    unsigned users;
} XenPciGsiUse;

static GMutex gsi_lock;
static GHashTable *gsi_uses;

static gint64 gsi_key(uint32_t domid, int gsi)
{
    return ((gint64)domid << 32) | (uint32_t)gsi;
}

/* Another granted function of the domain uses @gsi: count one more user. */
static bool gsi_join(uint32_t domid, int gsi, int *pirq)
{
    gint64 key = gsi_key(domid, gsi);
    XenPciGsiUse *u;

    g_mutex_lock(&gsi_lock);
    u = gsi_uses ? g_hash_table_lookup(gsi_uses, &key) : NULL;
    if (u) {
        u->users++;
        *pirq = u->pirq;
    }
    g_mutex_unlock(&gsi_lock);
    return u != NULL;
}

static void gsi_add(uint32_t domid, int gsi, int pirq)
{
    gint64 *key = g_new(gint64, 1);
    XenPciGsiUse *u = g_new(XenPciGsiUse, 1);

    *key = gsi_key(domid, gsi);
    *u = (XenPciGsiUse) { .pirq = pirq, .users = 1 };
    g_mutex_lock(&gsi_lock);
    if (!gsi_uses) {
        gsi_uses = g_hash_table_new_full(g_int64_hash, g_int64_equal,
                                         g_free, g_free);
    }
    g_hash_table_insert(gsi_uses, key, u);
    g_mutex_unlock(&gsi_lock);
}

/* One user less; true when it was the last one (the pirq is to go). */
static bool gsi_leave(uint32_t domid, int gsi)
{
    gint64 key = gsi_key(domid, gsi);
    XenPciGsiUse *u;
    bool last = true;

    g_mutex_lock(&gsi_lock);
    u = gsi_uses ? g_hash_table_lookup(gsi_uses, &key) : NULL;
    if (u && --u->users) {
        last = false;
    } else if (u) {
        g_hash_table_remove(gsi_uses, &key);
    }
    g_mutex_unlock(&gsi_lock);
    return last;
}

/* The function's GSI as a pirq of the domain, and the right to use it. */
static const char *grant_irq(XenPciHv *hv, const XenPciGrantTarget *t,
                             XenPciGrants *g)
{
    int pirq = -1;

    if (gsi_join(hv->domid, t->gsi, &pirq)) {
        g->pirq = pirq;
        g->irq_allowed = true;
        g->gsi_user = true;
        return NULL;
    }
    if (hv->ops->map_pirq_gsi(hv, t->gsi, &pirq)) {
        return "mapping its GSI";
    }
    g->pirq = pirq;
    if (hv->ops->irq_permission(hv, pirq, true)) {
        return "allowing its pirq";
    }
    g->irq_allowed = true;
    gsi_add(hv->domid, t->gsi, pirq);
    g->gsi_user = true;
    return NULL;
}

/* Undo the pirq's steps, unless another granted function still uses it. */
static void revoke_irq(XenPciHv *hv, const XenPciGrantTarget *t,
                       XenPciGrants *g)
{
    if (g->gsi_user && !gsi_leave(hv->domid, t->gsi)) {
        return;
    }
    if (g->irq_allowed) {
        hv->ops->irq_permission(hv, g->pirq, false);
    }
    if (g->pirq >= 0) {
        hv->ops->unmap_pirq(hv, g->pirq);
    }
}

/* Claimed for the domain, or held by another one (@errp says which). */
static bool grant_claim(XenPciHv *hv, const XenPciGrantTarget *t,
                        XenPciGrants *g, GError **errp)
{
    uint32_t holder = 0;
    int r = hv->ops->claim(hv, t->sbdf, true, &holder);

    if (r == -EBUSY) {
        g_set_error(errp, XEN_PCI_GRANT_ERROR, 0, "%s is in use by domain %u "
                    "(xenstore /libxl/pci/%04x-%02x-%02x-%x/domid)", t->name,
                    holder, t->sbdf >> 16, (t->sbdf >> 8) & 0xff,
                    (t->sbdf >> 3) & 0x1f, t->sbdf & 7);
        return false;
    }
    if (r) {
        g_set_error(errp, XEN_PCI_GRANT_ERROR, 0, "%s: granting domain %u "
                    "access failed at recording it as in use (xenstore "
                    "/libxl/pci)", t->name, hv->domid);
        return false;
    }
    g->claimed = true;
    return true;
}

bool xen_pci_grant(XenPciHv *hv, const XenPciGrantTarget *t,
                   XenPciGrants *g, GError **errp)
{
    const char *failed = NULL;
    unsigned i;

    *g = XEN_PCI_GRANTS_NONE;
    if (!grant_claim(hv, t, g, errp)) {
        return false;
    }
    if (hv->ops->assign_device(hv, t->sbdf, true)) {
        failed = "assigning it (IOMMU)";
        goto fail;
    }
    g->assigned = true;
    /* Every range of the sysfs resource file, as libxl: BARs and ROM. */
    for (i = 0; i <= XPF_ROM_SLOT; i++) {
        if (!t->bars[i].size) {
            continue;
        }
        if (bar_access(hv, &t->bars[i], true)) {
            failed = t->bars[i].io ? "allowing its I/O ports"
                                   : "allowing its memory";
            goto fail;
        }
        g->bars |= 1u << i;
    }
    if (t->gsi) {
        failed = grant_irq(hv, t, g);
        if (failed) {
            goto fail;
        }
    }
    return true;

fail:
    g_set_error(errp, XEN_PCI_GRANT_ERROR, 0,
                "%s: granting domain %u access failed at %s", t->name,
                hv->domid, failed);
    xen_pci_revoke(hv, t, g);
    return false;
}

void xen_pci_revoke(XenPciHv *hv, const XenPciGrantTarget *t,
                    XenPciGrants *g)
{
    unsigned i = XPF_ROM_SLOT + 1;

    revoke_irq(hv, t, g);
    while (i--) {
        if (g->bars & (1u << i)) {
            bar_access(hv, &t->bars[i], false);
        }
    }
    if (g->assigned) {
        hv->ops->assign_device(hv, t->sbdf, false);
    }
    if (g->claimed) {
        hv->ops->claim(hv, t->sbdf, false, NULL);
    }
    *g = XEN_PCI_GRANTS_NONE;
}
