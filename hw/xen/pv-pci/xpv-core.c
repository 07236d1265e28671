/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Xen PV-PCI backend op core: function list and BDF modes, the op
 * dispatcher over the shared page, MSI / MSI-X state, the event budget and
 * the AER sequence.  See xpv-core.h.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/io/xenbus.h>
#include "xpv-core.h"

#define XPV_CFG_SIZE            4096
#define XPV_CMD_MEM             0x0002
#define XPV_MSIX_MAX_TABLE      2048
#define XPV_SLOTS               32
#define XPV_NS_PER_SEC          1000000000ll

#define XPV_DEVFN(slot, fn)     ((uint8_t)(((slot) << 3) | ((fn) & 7)))
#define XPV_SLOT(devfn)         (((devfn) >> 3) & 0x1f)
#define XPV_FUNC(devfn)         ((devfn) & 7)

/* Where the page's fields are. */
#define XPV_OFF_FLAGS   offsetof(struct xen_pci_sharedinfo, flags)
#define XPV_OFF_OP      offsetof(struct xen_pci_sharedinfo, op)
#define XPV_OFF_ERR     offsetof(struct xen_pci_sharedinfo, op.err)
#define XPV_OFF_VALUE   offsetof(struct xen_pci_sharedinfo, op.value)
#define XPV_OFF_MSIX    offsetof(struct xen_pci_sharedinfo, op.msix_entries)
#define XPV_OFF_AER     offsetof(struct xen_pci_sharedinfo, aer_op)
#define XPV_OFF_AER_ERR offsetof(struct xen_pci_sharedinfo, aer_op.err)
#define XPV_OP_HDR      offsetof(struct xen_pci_op, msix_entries)

typedef struct XpvAerState {
    bool in_flight;         /* _XEN_PCIB_active set by us, not answered */
    bool seq;               /* xpv_aer_recover() sequence running */
    uint32_t cmd;
    int32_t dflt;           /* pciback's result if the frontend is silent */
    XpvBdf host;
} XpvAerState;

struct XpvBackend {
    XpvMode mode;
    XpvHooks hooks;
    void *opaque;
    bool used[XPV_MAX_FUNCS];
    XpvFunc funcs[XPV_MAX_FUNCS];
    XpvRateLimit rl;
    int64_t credit_ns;      /* event budget, in ns of refill */
    int64_t last_ns;
    bool rl_primed;
    XpvAerState aer;
    XpvStats stats;
};

/* One op: the frontend's request, copied once, and the reply. */
typedef struct XpvOp {
    struct xen_pci_op in;
    uint32_t value;
    unsigned nvec;                      /* MSI-X vectors to write back */
    uint16_t vectors[SH_INFO_MAX_VEC];
} XpvOp;

typedef int32_t XpvOpCheck(const XpvOp *op);
typedef int32_t XpvOpRun(XpvBackend *b, XpvFunc *f, XpvOp *op);

typedef struct XpvOpDesc {
    const char *name;
    XpvOpCheck *check;      /* the op's own arguments; NULL: none */
    XpvOpRun *run;          /* NULL: not implemented */
} XpvOpDesc;

G_STATIC_ASSERT(sizeof(struct xen_pci_sharedinfo) <= 4096);
G_STATIC_ASSERT(XEN_PCI_OP_enable_multi_msi + 1 == XPV_NUM_OPS);
G_STATIC_ASSERT(-XEN_PCI_ERR_op_failed + 1 == XPV_NUM_ERRS);

GQuark xpv_error_quark(void)
{
    return g_quark_from_static_string("xpv-error-quark");
}

/* ---- shared page access: the only code that touches pg->sh ---- */

static void xpv_page_fetched(XpvSharedPage *pg, size_t off, size_t len)
{
    if (pg->fetched) {
        pg->fetched(pg->opaque, off, len);
    }
}

static uint32_t xpv_page_flags(XpvSharedPage *pg)
{
    uint32_t f = __atomic_load_n(&pg->sh->flags, __ATOMIC_ACQUIRE);

    xpv_page_fetched(pg, XPV_OFF_FLAGS, sizeof(f));
    return f;
}

/* Copy once; the compiler may not re-read the page for the copy's values. */
static void xpv_page_fetch(XpvSharedPage *pg, size_t off, void *dst,
                           size_t len)
{
    memcpy(dst, (const uint8_t *)pg->sh + off, len);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    xpv_page_fetched(pg, off, len);
}

static void xpv_page_store(XpvSharedPage *pg, size_t off, const void *src,
                           size_t len)
{
    memcpy((uint8_t *)pg->sh + off, src, len);
}

/* Publish the stores before the flag change (a write barrier). */
static void xpv_page_set_flag(XpvSharedPage *pg, uint32_t bit)
{
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_fetch_or(&pg->sh->flags, bit, __ATOMIC_SEQ_CST);
}

static void xpv_page_clear_flag(XpvSharedPage *pg, uint32_t bit)
{
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_fetch_and(&pg->sh->flags, ~bit, __ATOMIC_SEQ_CST);
}

/* ---- functions and BDFs ---- */

static XpvFunc *xpv_lookup_host(XpvBackend *b, XpvBdf host)
{
    unsigned i;

    for (i = 0; i < XPV_MAX_FUNCS; i++) {
        const XpvBdf *h = &b->funcs[i].host;

        if (b->used[i] && h->domain == host.domain && h->bus == host.bus &&
            h->devfn == host.devfn) {
            return &b->funcs[i];
        }
    }
    return NULL;
}

static XpvFunc *xpv_lookup_guest(XpvBackend *b, uint32_t domain,
                                 uint32_t bus, uint32_t devfn)
{
    unsigned i;

    for (i = 0; i < XPV_MAX_FUNCS; i++) {
        const XpvBdf *g = &b->funcs[i].guest;

        if (b->used[i] && g->domain == domain && g->bus == bus &&
            g->devfn == devfn) {
            return &b->funcs[i];
        }
    }
    return NULL;
}

/* @f, if it is one of @b's exported functions. */
static XpvFunc *xpv_own(XpvBackend *b, const XpvFunc *f)
{
    unsigned i;

    for (i = 0; i < XPV_MAX_FUNCS; i++) {
        if (b->used[i] && &b->funcs[i] == f) {
            return &b->funcs[i];
        }
    }
    return NULL;
}

static bool xpv_vslot_used(const XpvBackend *b, unsigned slot)
{
    unsigned i;

    for (i = 0; i < XPV_MAX_FUNCS; i++) {
        if (b->used[i] && XPV_SLOT(b->funcs[i].guest.devfn) == slot) {
            return true;
        }
    }
    return false;
}

/*
 * A function of the same host device already has a virtual slot?  Not
 * one that a virtual function at host function 0 holds: it stays alone.
 */
static int xpv_vslot_of_device(const XpvBackend *b, XpvBdf host)
{
    unsigned i;

    for (i = 0; i < XPV_MAX_FUNCS; i++) {
        const XpvFunc *g = &b->funcs[i];

        if (b->used[i] && !(g->virtfn && !XPV_FUNC(g->host.devfn)) &&
            g->host.domain == host.domain &&
            g->host.bus == host.bus &&
            XPV_SLOT(g->host.devfn) == XPV_SLOT(host.devfn)) {
            return XPV_SLOT(g->guest.devfn);
        }
    }
    return -1;
}

/*
 * vpci, as pciback places them: every function keeps its host function
 * number; functions of one host device share a virtual slot; anything
 * else takes the first free slot.  An SR-IOV virtual function is placed
 * the same way (pciback: a VF 0000:00:0b.1 alone became 00:04.1), except
 * that one at host function 0 takes a slot of its own, which nothing
 * joins.
 */
static bool xpv_vpci_place(const XpvBackend *b, const XpvFuncConfig *cfg,
                           XpvBdf *guest, GError **errp)
{
    unsigned fn = XPV_FUNC(cfg->host.devfn);
    int slot = cfg->virtfn && !fn ? -1 : xpv_vslot_of_device(b, cfg->host);
    unsigned s;

    for (s = 0; slot < 0 && s < XPV_SLOTS; s++) {
        if (!xpv_vslot_used(b, s)) {
            slot = s;
        }
    }
    if (slot < 0) {
        g_set_error(errp, XPV_ERROR, 0,
                    "no free slot on the virtual PCI bus");
        return false;
    }
    *guest = (XpvBdf) { .devfn = XPV_DEVFN((unsigned)slot, fn) };
    return true;
}

static int xpv_free_index(const XpvBackend *b)
{
    unsigned i;

    for (i = 0; i < XPV_MAX_FUNCS; i++) {
        if (!b->used[i]) {
            return i;
        }
    }
    return -1;
}

const XpvFunc *xpv_add_func(XpvBackend *b, const XpvFuncConfig *cfg,
                            GError **errp)
{
    XpvBdf guest = cfg->host;
    int idx = xpv_free_index(b);
    XpvFunc *f;

    if (!cfg->dev) {
        g_set_error(errp, XPV_ERROR, 0, "no register-filter device");
        return NULL;
    }
    if (xpv_lookup_host(b, cfg->host)) {
        char name[XPV_VDEV_STRLEN];

        g_set_error(errp, XPV_ERROR, 0, "%s already exported",
                    xpv_format_vdev(name, cfg->host));
        return NULL;
    }
    if (idx < 0) {
        g_set_error(errp, XPV_ERROR, 0, "already %u functions exported",
                    XPV_MAX_FUNCS);
        return NULL;
    }
    if (b->mode == XPV_MODE_VPCI && !xpv_vpci_place(b, cfg, &guest, errp)) {
        return NULL;
    }
    f = &b->funcs[idx];
    *f = (XpvFunc) {
        .host = cfg->host, .guest = guest, .dev = cfg->dev,
        .opaque = cfg->opaque, .intx_pirq = cfg->intx_pirq,
        .virtfn = cfg->virtfn,
    };
    b->used[idx] = true;
    return f;
}

const XpvFunc *xpv_func_at(const XpvBackend *b, unsigned i)
{
    return i < XPV_MAX_FUNCS && b->used[i] ? &b->funcs[i] : NULL;
}

unsigned xpv_num_funcs(const XpvBackend *b)
{
    unsigned i, n = 0;

    for (i = 0; i < XPV_MAX_FUNCS; i++) {
        n += b->used[i];
    }
    return n;
}

const XpvFunc *xpv_find_host(const XpvBackend *b, XpvBdf host)
{
    return xpv_lookup_host((XpvBackend *)b, host);
}

const XpvFunc *xpv_find_guest(const XpvBackend *b, uint32_t domain,
                              uint32_t bus, uint32_t devfn)
{
    return xpv_lookup_guest((XpvBackend *)b, domain, bus, devfn);
}

static bool xpv_bus_listed(const XpvBus *l, unsigned n, XpvBus bus)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        if (l[i].domain == bus.domain && l[i].bus == bus.bus) {
            return true;
        }
    }
    return false;
}

static gint xpv_bus_cmp(gconstpointer pa, gconstpointer pb)
{
    const XpvBus *a = pa, *b = pb;

    if (a->domain != b->domain) {
        return a->domain < b->domain ? -1 : 1;
    }
    return a->bus < b->bus ? -1 : a->bus > b->bus;
}

/*
 * vpci: the one virtual bus.  passthrough: every bus an exported function
 * sits on, sorted (the engine refuses bridges, so none hides another).
 */
unsigned xpv_root_buses(const XpvBackend *b, XpvBus *out, unsigned max)
{
    XpvBus all[XPV_MAX_FUNCS];
    unsigned i, n = 0;

    if (b->mode == XPV_MODE_VPCI) {
        all[n++] = (XpvBus) { 0, 0 };
    } else {
        for (i = 0; i < XPV_MAX_FUNCS; i++) {
            XpvBus bus = { b->funcs[i].host.domain, b->funcs[i].host.bus };

            if (b->used[i] && !xpv_bus_listed(all, n, bus)) {
                all[n++] = bus;
            }
        }
        qsort(all, n, sizeof(all[0]), xpv_bus_cmp);
    }
    n = MIN(n, max);
    memcpy(out, all, n * sizeof(all[0]));
    return n;
}

/* ---- interrupt state ---- */

/*
 * Record what the hooks set up; the path's hooks tell the engine what is
 * on in the host (the function layer owns that state).
 */
static void xpv_set_irq(XpvFunc *f, XpvIrqMode irq, unsigned nvec,
                        const int *pirqs)
{
    f->irq = irq;
    f->nvec = nvec;
    memset(f->pirqs, 0, sizeof(f->pirqs));
    if (nvec) {
        memcpy(f->pirqs, pirqs, nvec * sizeof(*pirqs));
    }
}

/* Undo what the guest set up (disable op, removal, reset). */
static void xpv_undo_irq(XpvBackend *b, XpvFunc *f)
{
    switch (f->irq) {
    case XPV_IRQ_MSI:
    case XPV_IRQ_MULTI_MSI:
        if (b->hooks.disable_msi) {
            b->hooks.disable_msi(b->opaque, f);
        }
        xpf_mirror_msi(f->dev, 0);
        break;
    case XPV_IRQ_MSIX:
        if (b->hooks.disable_msix) {
            b->hooks.disable_msix(b->opaque, f);
        }
        xpf_mirror_msix(f->dev, false);
        memset(f->msix_entries, 0, sizeof(f->msix_entries));
        break;
    case XPV_IRQ_NONE:
        return;
    }
    xpv_set_irq(f, XPV_IRQ_NONE, 0, NULL);
}

static bool xpv_pirqs_ok(const int *pirqs, unsigned n, int max)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        if (pirqs[i] <= 0 || pirqs[i] > max) {
            return false;
        }
    }
    return true;
}

/*
 * The other message type is on: in the guest's view (a config write under
 * allow_interrupt_control) or in the host.
 */
static bool xpv_engine_has(const XpvFunc *f, XpfIntrType t)
{
    return xpf_interrupt_type(f->dev) & t;
}

bool xpv_remove_func(XpvBackend *b, XpvBdf host, GError **errp)
{
    XpvFunc *f = xpv_lookup_host(b, host);

    if (!f) {
        char name[XPV_VDEV_STRLEN];

        g_set_error(errp, XPV_ERROR, 0, "%s is not exported",
                    xpv_format_vdev(name, host));
        return false;
    }
    xpv_undo_irq(b, f);
    b->used[f - b->funcs] = false;
    memset(f, 0, sizeof(*f));
    return true;
}

void xpv_reset(XpvBackend *b)
{
    unsigned i;

    for (i = 0; i < XPV_MAX_FUNCS; i++) {
        if (b->used[i]) {
            xpv_undo_irq(b, &b->funcs[i]);
        }
    }
    b->aer = (XpvAerState) { 0 };
}

/* ---- ops ---- */

static int32_t xpv_status_err(XpfStatus st)
{
    switch (st) {
    case XPF_OK:
        return XEN_PCI_ERR_success;
    case XPF_E_ACCESS:
        return XEN_PCI_ERR_invalid_offset;
    case XPF_E_REFUSED:
        return XEN_PCI_ERR_access_denied;
    case XPF_E_HOST:
        break;
    }
    return XEN_PCI_ERR_op_failed;
}

static int32_t xpv_check_conf(const XpvOp *op)
{
    int32_t off = op->in.offset, size = op->in.size;

    if ((size != 1 && size != 2 && size != 4) || off < 0 ||
        off >= XPV_CFG_SIZE || off % size) {
        return XEN_PCI_ERR_invalid_offset;
    }
    return XEN_PCI_ERR_success;
}

static int32_t xpv_check_msix(const XpvOp *op)
{
    if (op->in.value < 1 || op->in.value > SH_INFO_MAX_VEC) {
        return XEN_PCI_ERR_op_failed;
    }
    return XEN_PCI_ERR_success;
}

static int32_t xpv_check_multi_msi(const XpvOp *op)
{
    uint32_t n = op->in.value;

    if (n < 1 || n > XPV_MSI_MAX_VEC || (n & (n - 1))) {
        return XEN_PCI_ERR_op_failed;
    }
    return XEN_PCI_ERR_success;
}

static int32_t xpv_op_conf_read(XpvBackend *b, XpvFunc *f, XpvOp *op)
{
    uint32_t v;
    XpfStatus st = xpf_read(f->dev, op->in.offset, op->in.size, &v);

    op->value = st == XPF_OK ? v : 0;
    return xpv_status_err(st);
}

static int32_t xpv_op_conf_write(XpvBackend *b, XpvFunc *f, XpvOp *op)
{
    return xpv_status_err(xpf_write(f->dev, op->in.offset, op->in.size,
                                    op->in.value));
}

/* XSA-157: one message type at a time, enabled once. */
static int32_t xpv_msi_enable(XpvBackend *b, XpvFunc *f, XpvOp *op,
                              unsigned nvec)
{
    int pirqs[XPV_MSI_MAX_VEC] = { 0 };
    XpfMsiState msi;

    op->value = 0;
    if (!b->hooks.enable_msi) {
        return XEN_PCI_ERR_not_implemented;
    }
    if (f->irq != XPV_IRQ_NONE || xpv_engine_has(f, XPF_INTR_MSIX)) {
        return XEN_PCI_ERR_op_failed;
    }
    xpf_msi_state(f->dev, &msi);
    if (!msi.present || nvec > msi.vectors_capable) {
        return XEN_PCI_ERR_op_failed;
    }
    if (b->hooks.enable_msi(b->opaque, f, nvec, pirqs) < 0) {
        return XEN_PCI_ERR_op_failed;
    }
    xpv_set_irq(f, nvec > 1 ? XPV_IRQ_MULTI_MSI : XPV_IRQ_MSI, nvec, pirqs);
    if (!xpv_pirqs_ok(pirqs, nvec, INT_MAX)) {
        xpv_undo_irq(b, f);
        return XEN_PCI_ERR_op_failed;
    }
    xpf_mirror_msi(f->dev, nvec);
    op->value = pirqs[0];
    return XEN_PCI_ERR_success;
}

static int32_t xpv_op_enable_msi(XpvBackend *b, XpvFunc *f, XpvOp *op)
{
    return xpv_msi_enable(b, f, op, 1);
}

static int32_t xpv_op_enable_multi_msi(XpvBackend *b, XpvFunc *f,
                                       XpvOp *op)
{
    return xpv_msi_enable(b, f, op, op->in.value);
}

/* As pciback: success even when not enabled; value is the INTx pirq. */
static int32_t xpv_op_disable_msi(XpvBackend *b, XpvFunc *f, XpvOp *op)
{
    if (f->irq == XPV_IRQ_MSI || f->irq == XPV_IRQ_MULTI_MSI) {
        xpv_undo_irq(b, f);
    }
    op->value = f->intx_pirq;
    return XEN_PCI_ERR_success;
}

static int32_t xpv_op_disable_msix(XpvBackend *b, XpvFunc *f, XpvOp *op)
{
    if (f->irq == XPV_IRQ_MSIX) {
        xpv_undo_irq(b, f);
    }
    op->value = f->intx_pirq;
    return XEN_PCI_ERR_success;
}

/* Table indexes in range and distinct (so @n is within the table too). */
static bool xpv_msix_entries_ok(const XpvOp *op, unsigned n,
                                unsigned table_size, XpvMsixEntry *out)
{
    uint8_t seen[XPV_MSIX_MAX_TABLE / 8] = { 0 };
    unsigned i;

    for (i = 0; i < n; i++) {
        unsigned e = op->in.msix_entries[i].entry;

        if (e >= table_size || e >= XPV_MSIX_MAX_TABLE ||
            (seen[e / 8] & (1u << (e % 8)))) {
            return false;
        }
        seen[e / 8] |= 1u << (e % 8);
        out[i].entry = e;
    }
    return true;
}

static int32_t xpv_op_enable_msix(XpvBackend *b, XpvFunc *f, XpvOp *op)
{
    XpvMsixEntry ents[SH_INFO_MAX_VEC];
    int pirqs[SH_INFO_MAX_VEC] = { 0 };
    unsigned n = op->in.value, i;
    XpfMsixState mx;

    op->value = 0;
    if (!b->hooks.enable_msix) {
        return XEN_PCI_ERR_not_implemented;
    }
    if (f->irq != XPV_IRQ_NONE || xpv_engine_has(f, XPF_INTR_MSI) ||
        !(xpf_command(f->dev) & XPV_CMD_MEM)) {
        return XEN_PCI_ERR_op_failed;
    }
    xpf_msix_state(f->dev, &mx);
    if (!mx.present || !xpv_msix_entries_ok(op, n, mx.table_size, ents)) {
        return XEN_PCI_ERR_op_failed;
    }
    if (b->hooks.enable_msix(b->opaque, f, ents, n, pirqs) < 0) {
        return XEN_PCI_ERR_op_failed;
    }
    xpv_set_irq(f, XPV_IRQ_MSIX, n, pirqs);
    for (i = 0; i < n; i++) {
        f->msix_entries[i] = ents[i].entry;
    }
    if (!xpv_pirqs_ok(pirqs, n, UINT16_MAX)) {
        xpv_undo_irq(b, f);
        return XEN_PCI_ERR_op_failed;
    }
    xpf_mirror_msix(f->dev, true);
    op->nvec = n;
    for (i = 0; i < n; i++) {
        op->vectors[i] = pirqs[i];
    }
    return XEN_PCI_ERR_success;
}

static const XpvOpDesc xpv_ops[XPV_NUM_OPS] = {
    [XEN_PCI_OP_conf_read] = { "conf_read", xpv_check_conf,
                               xpv_op_conf_read },
    [XEN_PCI_OP_conf_write] = { "conf_write", xpv_check_conf,
                                xpv_op_conf_write },
    [XEN_PCI_OP_enable_msi] = { "enable_msi", NULL, xpv_op_enable_msi },
    [XEN_PCI_OP_disable_msi] = { "disable_msi", NULL, xpv_op_disable_msi },
    [XEN_PCI_OP_enable_msix] = { "enable_msix", xpv_check_msix,
                                 xpv_op_enable_msix },
    [XEN_PCI_OP_disable_msix] = { "disable_msix", NULL,
                                  xpv_op_disable_msix },
    /* Backend-to-frontend only (aer_op); pciback refuses them as ops. */
    [XEN_PCI_OP_aer_detected] = { "aer_detected", NULL, NULL },
    [XEN_PCI_OP_aer_resume] = { "aer_resume", NULL, NULL },
    [XEN_PCI_OP_aer_mmio] = { "aer_mmio", NULL, NULL },
    [XEN_PCI_OP_aer_slotreset] = { "aer_slotreset", NULL, NULL },
    [XEN_PCI_OP_enable_multi_msi] = { "enable_multi_msi",
                                      xpv_check_multi_msi,
                                      xpv_op_enable_multi_msi },
};

const char *xpv_op_name(uint32_t cmd)
{
    return cmd < XPV_NUM_OPS ? xpv_ops[cmd].name : "unknown";
}

/*
 * The single fetch: the op's fixed part, then, for enable_msix, as many
 * entries as the copied (and bounded) count says.
 */
static void xpv_fetch_op(XpvSharedPage *pg, XpvOp *op)
{
    memset(op, 0, sizeof(*op));
    xpv_page_fetch(pg, XPV_OFF_OP, &op->in, XPV_OP_HDR);
    if (op->in.cmd == XEN_PCI_OP_enable_msix && op->in.value >= 1 &&
        op->in.value <= SH_INFO_MAX_VEC) {
        xpv_page_fetch(pg, XPV_OFF_MSIX, op->in.msix_entries,
                       op->in.value * sizeof(op->in.msix_entries[0]));
    }
}

static int32_t xpv_run_op(XpvBackend *b, XpvFunc *f, XpvOp *op)
{
    const XpvOpDesc *d = op->in.cmd < XPV_NUM_OPS ? &xpv_ops[op->in.cmd]
                                                  : NULL;
    int32_t err;

    if (!d || !d->run) {
        return XEN_PCI_ERR_not_implemented;
    }
    err = d->check ? d->check(op) : XEN_PCI_ERR_success;
    if (err != XEN_PCI_ERR_success) {
        op->value = 0;
        return err;
    }
    return d->run(b, f, op);
}

static bool xpv_err_valid(int32_t err)
{
    return err <= XEN_PCI_ERR_success && err >= XEN_PCI_ERR_op_failed;
}

/* As pciback: an unknown function is reported before an unknown op. */
static int32_t xpv_dispatch(XpvBackend *b, XpvOp *op)
{
    XpvFunc *f = xpv_lookup_guest(b, op->in.domain, op->in.bus,
                                  op->in.devfn);
    int32_t err;

    op->value = op->in.value;
    if (!f) {
        err = XEN_PCI_ERR_dev_not_found;
    } else {
        err = xpv_run_op(b, f, op);
        if (!xpv_err_valid(err)) {
            err = XEN_PCI_ERR_op_failed;    /* never leak anything else */
        }
        f->stats.ops[MIN(op->in.cmd, (uint32_t)XPV_NUM_OPS)]++;
        f->stats.errors[-err]++;
    }
    b->stats.ops++;
    b->stats.errors[-err]++;
    if (err != XEN_PCI_ERR_success && err != XEN_PCI_ERR_dev_not_found &&
        err != XEN_PCI_ERR_access_denied && b->hooks.refused) {
        b->hooks.refused(b->opaque, f, op->in.cmd, err);
    }
    if (b->hooks.answered) {
        XpvOpRecord rec = {
            .cmd = op->in.cmd, .domain = op->in.domain, .bus = op->in.bus,
            .devfn = op->in.devfn, .offset = op->in.offset,
            .size = op->in.size, .in_value = op->in.value,
            .out_value = op->value, .err = err,
        };

        b->hooks.answered(b->opaque, f, &rec);
    }
    return err;
}

static void xpv_reply(XpvSharedPage *pg, const XpvOp *op, int32_t err)
{
    unsigned i;

    xpv_page_store(pg, XPV_OFF_ERR, &err, sizeof(err));
    xpv_page_store(pg, XPV_OFF_VALUE, &op->value, sizeof(op->value));
    for (i = 0; i < op->nvec; i++) {
        size_t off = XPV_OFF_MSIX + i * sizeof(struct xen_msix_entry) +
                     offsetof(struct xen_msix_entry, vector);

        xpv_page_store(pg, off, &op->vectors[i], sizeof(op->vectors[i]));
    }
}

bool xpv_handle_op(XpvBackend *b, XpvSharedPage *pg)
{
    XpvOp op;
    int32_t err;

    if (!(xpv_page_flags(pg) & XEN_PCIF_active)) {
        return false;
    }
    xpv_fetch_op(pg, &op);
    err = xpv_dispatch(b, &op);
    xpv_reply(pg, &op, err);
    xpv_page_clear_flag(pg, XEN_PCIF_active);
    return true;
}

/* ---- event budget ---- */

static int64_t xpv_event_cost(const XpvBackend *b)
{
    return MAX(XPV_NS_PER_SEC / b->rl.per_sec, 1);
}

/* Budget available at @now, without spending it. */
static int64_t xpv_credit_at(const XpvBackend *b, int64_t now)
{
    int64_t cap = xpv_event_cost(b) * b->rl.burst;
    uint64_t gap;

    if (!b->rl_primed) {
        return cap;
    }
    if (now <= b->last_ns) {
        return b->credit_ns;
    }
    gap = (uint64_t)now - (uint64_t)b->last_ns;
    return gap >= (uint64_t)(cap - b->credit_ns) ? cap
                                                 : b->credit_ns + (int64_t)gap;
}

static bool xpv_take_event(XpvBackend *b, int64_t now)
{
    int64_t cost;

    if (!b->rl.per_sec) {
        return true;
    }
    cost = xpv_event_cost(b);
    b->credit_ns = xpv_credit_at(b, now);
    if (!b->rl_primed || now > b->last_ns) {
        b->last_ns = now;
    }
    b->rl_primed = true;
    if (b->credit_ns < cost) {
        return false;
    }
    b->credit_ns -= cost;
    return true;
}

int64_t xpv_event_delay_ns(const XpvBackend *b, int64_t now_ns)
{
    int64_t cost;

    if (!b->rl.per_sec) {
        return 0;
    }
    cost = xpv_event_cost(b);
    return MAX(cost - xpv_credit_at(b, now_ns), 0);
}

void xpv_set_rate_limit(XpvBackend *b, const XpvRateLimit *rl)
{
    b->rl = *rl;
    b->rl.burst = MAX(rl->burst, 1u);
    b->rl_primed = false;
}

bool xpv_op_pending(const XpvSharedPage *pg)
{
    return __atomic_load_n(&pg->sh->flags, __ATOMIC_RELAXED) &
           XEN_PCIF_active;
}

/*
 * One event: the frontend has a single op slot, so at most one op.  Over
 * budget the page is left alone (the op stays pending) and the path waits
 * xpv_event_delay_ns() before calling again, like Linux's lateeoi.
 */
XpvEventResult xpv_handle_event(XpvBackend *b, XpvSharedPage *pg,
                                int64_t now_ns)
{
    b->stats.events++;
    if (!xpv_take_event(b, now_ns)) {
        b->stats.throttled++;
        return XPV_EVENT_THROTTLED;
    }
    if (!xpv_handle_op(b, pg)) {
        b->stats.spurious++;
        return XPV_EVENT_SPURIOUS;
    }
    return XPV_EVENT_DONE;
}

/* ---- AER (pciback's pci_stub common_process, made asynchronous) ---- */

static int32_t xpv_aer_default(uint32_t cmd)
{
    return cmd == XEN_PCI_OP_aer_detected ? XPV_ERS_CAN_RECOVER
                                          : XPV_ERS_RECOVERED;
}

static bool xpv_is_aer_cmd(uint32_t cmd)
{
    return cmd == XEN_PCI_OP_aer_detected || cmd == XEN_PCI_OP_aer_mmio ||
           cmd == XEN_PCI_OP_aer_slotreset || cmd == XEN_PCI_OP_aer_resume;
}

XpvAerStatus xpv_aer_begin(XpvBackend *b, XpvSharedPage *pg,
                           const XpvFunc *f, uint32_t cmd, int32_t state)
{
    XpvFunc *fn = f ? xpv_own(b, f) : NULL;
    struct xen_pcie_aer_op a;

    if (!fn || !xpv_is_aer_cmd(cmd)) {
        return XPV_AER_INVALID;
    }
    if (b->aer.in_flight) {
        return XPV_AER_BUSY;
    }
    if (!(xpv_page_flags(pg) & XEN_PCIB_AERHANDLER)) {
        return XPV_AER_NO_HANDLER;
    }
    a = (struct xen_pcie_aer_op) {
        .cmd = cmd, .err = state, .domain = fn->guest.domain,
        .bus = fn->guest.bus, .devfn = fn->guest.devfn,
    };
    xpv_page_store(pg, XPV_OFF_AER, &a, sizeof(a));
    xpv_page_set_flag(pg, XEN_PCIB_active);
    b->aer = (XpvAerState) {
        .in_flight = true, .seq = b->aer.seq, .cmd = cmd,
        .dflt = xpv_aer_default(cmd), .host = fn->host,
    };
    b->stats.aer_ops++;
    return XPV_AER_PENDING;
}

XpvAerStatus xpv_aer_poll(XpvBackend *b, XpvSharedPage *pg, int32_t *result)
{
    int32_t r;

    if (!b->aer.in_flight) {
        return XPV_AER_IDLE;
    }
    if (xpv_page_flags(pg) & XEN_PCIB_active) {
        return XPV_AER_PENDING;
    }
    xpv_page_fetch(pg, XPV_OFF_AER_ERR, &r, sizeof(r));
    b->aer.in_flight = false;
    *result = r;
    return XPV_AER_DONE;
}

int32_t xpv_aer_timeout(XpvBackend *b, XpvSharedPage *pg)
{
    int32_t none = XPV_ERS_NONE;

    if (!b->aer.in_flight) {
        return XPV_ERS_NONE;
    }
    xpv_page_clear_flag(pg, XEN_PCIB_active);
    xpv_page_store(pg, XPV_OFF_AER_ERR, &none, sizeof(none));
    b->aer.in_flight = false;
    b->stats.aer_timeouts++;
    return b->aer.dflt;
}

static XpvAerOutcome xpv_aer_step(XpvBackend *b, XpvSharedPage *pg,
                                  const XpvFunc *f, uint32_t cmd,
                                  int32_t state)
{
    XpvAerStatus st;

    b->aer.seq = true;
    st = xpv_aer_begin(b, pg, f, cmd, state);
    if (st == XPV_AER_PENDING) {
        return XPV_AER_SEQ_RUNNING;
    }
    b->aer.seq = false;
    return st == XPV_AER_NO_HANDLER ? XPV_AER_SEQ_NO_HANDLER
                                    : XPV_AER_SEQ_INVALID;
}

/*
 * What follows @cmd (not resume) answered with @r; 0: recovery failed.
 * Linux's AER core order: detected, mmio if it can recover, slotreset if
 * a reset is needed, resume once recovered.
 */
static uint32_t xpv_aer_next(uint32_t cmd, int32_t r)
{
    if (cmd == XEN_PCI_OP_aer_detected && r == XPV_ERS_CAN_RECOVER) {
        return XEN_PCI_OP_aer_mmio;
    }
    if (cmd != XEN_PCI_OP_aer_slotreset && r == XPV_ERS_NEED_RESET) {
        return XEN_PCI_OP_aer_slotreset;
    }
    if (r == XPV_ERS_CAN_RECOVER || r == XPV_ERS_RECOVERED) {
        return XEN_PCI_OP_aer_resume;
    }
    return 0;
}

XpvAerOutcome xpv_aer_recover(XpvBackend *b, XpvSharedPage *pg,
                              const XpvFunc *f, int32_t channel_state)
{
    if (b->aer.in_flight) {
        return XPV_AER_SEQ_INVALID;
    }
    return xpv_aer_step(b, pg, f, XEN_PCI_OP_aer_detected, channel_state);
}

XpvAerOutcome xpv_aer_recover_poll(XpvBackend *b, XpvSharedPage *pg,
                                   bool timed_out)
{
    uint32_t cmd = b->aer.cmd, next;
    const XpvFunc *f;
    int32_t r;

    if (!b->aer.seq) {
        return XPV_AER_SEQ_IDLE;
    }
    if (timed_out && b->aer.in_flight) {
        r = xpv_aer_timeout(b, pg);
    } else if (xpv_aer_poll(b, pg, &r) != XPV_AER_DONE) {
        return XPV_AER_SEQ_RUNNING;
    }
    b->aer.seq = false;
    if (cmd == XEN_PCI_OP_aer_resume) {
        return XPV_AER_SEQ_RECOVERED;
    }
    next = xpv_aer_next(cmd, r);
    f = xpv_lookup_host(b, b->aer.host);
    if (!next || !f) {
        return XPV_AER_SEQ_FAILED;     /* hot removed meanwhile: failed */
    }
    return xpv_aer_step(b, pg, f, next, XPV_CHANNEL_NORMAL);
}

XpvAerOutcome xpv_aer_inject(XpvBackend *b, XpvSharedPage *pg, XpvBdf host,
                             int32_t channel_state)
{
    const XpvFunc *f = xpv_lookup_host(b, host);

    if (!f) {
        return XPV_AER_SEQ_INVALID;
    }
    return xpv_aer_recover(b, pg, f, channel_state);
}

/* ---- backend ---- */

XpvBackend *xpv_backend_new(XpvMode mode, const XpvHooks *hooks,
                            void *opaque)
{
    XpvBackend *b = g_new0(XpvBackend, 1);
    static const XpvRateLimit dflt = { .burst = 256, .per_sec = 50000 };

    b->mode = mode;
    if (hooks) {
        b->hooks = *hooks;
    }
    b->opaque = opaque;
    xpv_set_rate_limit(b, &dflt);
    return b;
}

void xpv_backend_free(XpvBackend *b)
{
    if (b) {
        xpv_reset(b);
        g_free(b);
    }
}

XpvMode xpv_backend_mode(const XpvBackend *b)
{
    return b->mode;
}

void xpv_get_stats(const XpvBackend *b, XpvStats *out)
{
    *out = b->stats;
}

/* ---- xenstore values ---- */

XpvBdf xpv_bdf_of(const XenPciAddr *a)
{
    return (XpvBdf) { .domain = a->domain, .bus = a->bus,
                      .devfn = (a->dev & 0x1f) << 3 | (a->func & 7) };
}

char *xpv_format_vdev(char buf[XPV_VDEV_STRLEN], XpvBdf bdf)
{
    XenPciAddr a = {
        .domain = bdf.domain, .bus = bdf.bus, .dev = XPV_SLOT(bdf.devfn),
        .func = XPV_FUNC(bdf.devfn),
    };

    return xen_pci_addr_format(&a, buf);
}

void xpv_format_root(char buf[XPV_ROOT_STRLEN], XpvBus bus)
{
    snprintf(buf, XPV_ROOT_STRLEN, "%04x:%02x", bus.domain, bus.bus);
}

bool xpv_format_key(char buf[XPV_KEY_STRLEN], const char *prefix,
                    unsigned n)
{
    int len = snprintf(buf, XPV_KEY_STRLEN, "%s-%u", prefix, n);

    return len > 0 && len < XPV_KEY_STRLEN;
}

bool xpv_format_state(char buf[4], unsigned state)
{
    if (state > XenbusStateReconfigured) {
        buf[0] = '\0';
        return false;
    }
    snprintf(buf, 4, "%u", state);
    return true;
}
