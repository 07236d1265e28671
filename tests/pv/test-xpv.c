/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Unit tests of the PV-PCI op core: every op and error code, both BDF
 * modes, multi-function frontends, hot add / remove, the single-fetch rule
 * (XSA-155), MSI / MSI-X enable rules (XSA-157), the event budget and the
 * AER sequence.  Each test posts ops the way xen-pcifront does, over real
 * fixtures, and checks the reply, the page, the hooks and the engine.
 */
#include <string.h>
#include "xpf-test-host.h"
#include "xpv-core.h"

#define OFF_OP      offsetof(struct xen_pci_sharedinfo, op)
#define OFF_MSIX    offsetof(struct xen_pci_sharedinfo, op.msix_entries)
#define OP_HDR      offsetof(struct xen_pci_op, msix_entries)
#define DEVFN(s, f) ((uint8_t)(((s) << 3) | (f)))
#define PIRQ_BASE   40
#define SENTINEL    0xabcd

/* ---- the path's hooks, faked ---- */

typedef struct Fake {
    unsigned enable_msi, disable_msi, enable_msix, disable_msix;
    unsigned last_nvec;
    XpvMsixEntry last_entries[SH_INFO_MAX_VEC];
    const XpvFunc *last_func;
    XpvIrqMode irq_at_disable;  /* the function's state when undone */
    int fail;                   /* < 0: enable hooks fail with it */
    int bad_pirq;               /* != 0: first pirq handed out */
    int next_pirq;
} Fake;

static Fake fake;

static void fake_pirqs(unsigned n, int pirqs[])
{
    unsigned i;

    for (i = 0; i < n; i++) {
        pirqs[i] = fake.next_pirq++;
    }
    if (fake.bad_pirq) {
        pirqs[0] = fake.bad_pirq;
    }
}

static int fk_enable_msi(void *opaque, const XpvFunc *f, unsigned nvec,
                         int pirqs[])
{
    fake.enable_msi++;
    fake.last_nvec = nvec;
    fake.last_func = f;
    if (fake.fail < 0) {
        return fake.fail;
    }
    fake_pirqs(nvec, pirqs);
    /* as the function layer: the engine learns what is on in the host */
    xpf_set_host_interrupts(f->dev, XPF_INTR_MSI);
    return 0;
}

static void fk_disable_msi(void *opaque, const XpvFunc *f)
{
    xpf_set_host_interrupts(f->dev, XPF_INTR_NONE);
    fake.disable_msi++;
    fake.last_func = f;
    fake.irq_at_disable = f->irq;
}

static int fk_enable_msix(void *opaque, const XpvFunc *f,
                          const XpvMsixEntry *entries, unsigned n,
                          int pirqs[])
{
    fake.enable_msix++;
    fake.last_nvec = n;
    fake.last_func = f;
    memcpy(fake.last_entries, entries, n * sizeof(*entries));
    if (fake.fail < 0) {
        return fake.fail;
    }
    fake_pirqs(n, pirqs);
    xpf_set_host_interrupts(f->dev, XPF_INTR_MSIX);
    return 0;
}

static void fk_disable_msix(void *opaque, const XpvFunc *f)
{
    xpf_set_host_interrupts(f->dev, XPF_INTR_NONE);
    fake.disable_msix++;
    fake.last_func = f;
    fake.irq_at_disable = f->irq;
}

/* The ops the core reported refused: command and error of the last one. */
static unsigned fk_refused_n;
static uint32_t fk_refused_cmd;
static int32_t fk_refused_err;

static void fk_refused(void *opaque, const XpvFunc *f, uint32_t cmd,
                       int32_t err)
{
    fk_refused_n++;
    fk_refused_cmd = cmd;
    fk_refused_err = err;
}

/* Every op answered, as the path sees it for its trace. */
static GArray *fk_answered;

static void fk_answer(void *opaque, const XpvFunc *f, const XpvOpRecord *r)
{
    if (fk_answered) {
        g_array_append_val(fk_answered, *r);
    }
}

static const XpvHooks fake_hooks = {
    .enable_msi = fk_enable_msi, .disable_msi = fk_disable_msi,
    .enable_msix = fk_enable_msix, .disable_msix = fk_disable_msix,
    .refused = fk_refused, .answered = fk_answer,
};

/* ---- a backend, its page and its functions ---- */

typedef struct Fx {
    XpvBackend *b;
    struct xen_pci_sharedinfo sh;
    XpvSharedPage pg;
    GPtrArray *hosts;           /* TestHost */
    GPtrArray *devs;            /* XpfDevice */
    unsigned fetches[sizeof(struct xen_pci_sharedinfo)];
    unsigned nfetch;
    size_t last_off, last_len;
    void (*mutate)(struct Fx *x, size_t off, size_t len);
    unsigned mutated;           /* times @mutate changed the page */
} Fx;

static void fx_fetched(void *opaque, size_t off, size_t len)
{
    Fx *x = opaque;
    size_t i;

    g_assert_cmpuint(off + len, <=, sizeof(x->sh));
    for (i = off; i < off + len; i++) {
        x->fetches[i]++;
    }
    x->nfetch++;
    x->last_off = off;
    x->last_len = len;
    if (x->mutate) {
        x->mutate(x, off, len);
    }
}

static void fx_init_hooks(Fx *x, XpvMode mode, const XpvHooks *hooks)
{
    static const XpvRateLimit unlimited = { .burst = 1, .per_sec = 0 };

    memset(x, 0, sizeof(*x));
    memset(&fake, 0, sizeof(fake));
    fake.next_pirq = PIRQ_BASE;
    x->b = xpv_backend_new(mode, hooks, x);
    xpv_set_rate_limit(x->b, &unlimited);
    x->pg = (XpvSharedPage) { .sh = &x->sh, .fetched = fx_fetched,
                              .opaque = x };
    x->hosts = g_ptr_array_new_with_free_func(
        (GDestroyNotify)test_host_free);
    x->devs = g_ptr_array_new_with_free_func(
        (GDestroyNotify)xpf_device_free);
}

static void fx_init(Fx *x, XpvMode mode)
{
    fx_init_hooks(x, mode, &fake_hooks);
}

static void fx_free(Fx *x)
{
    xpv_backend_free(x->b);
    g_ptr_array_free(x->devs, true);
    g_ptr_array_free(x->hosts, true);
}

static XpvBdf bdf(uint16_t dom, uint8_t bus, unsigned slot, unsigned fn)
{
    return (XpvBdf) { dom, bus, DEVFN(slot, fn) };
}

static const XpvFunc *fx_add_host(Fx *x, TestHost *h, XpvBdf host,
                                  bool intr_control, bool virtfn)
{
    XpfConfig c = test_host_config(h, false, intr_control);
    g_autoptr(GError) err = NULL;
    XpfDevice *d = xpf_device_new(&c, &err);
    XpvFuncConfig fc = {
        .host = host, .dev = d, .opaque = h,
        .intx_pirq = 100 + x->devs->len, .virtfn = virtfn,
    };
    const XpvFunc *f;

    g_assert_no_error(err);
    g_ptr_array_add(x->hosts, h);
    g_ptr_array_add(x->devs, d);
    f = xpv_add_func(x->b, &fc, &err);
    g_assert_no_error(err);
    g_assert_nonnull(f);
    g_assert_true(f->dev == d);
    return f;
}

static TestHost *load(const char *name)
{
    g_autoptr(GError) err = NULL;
    TestHost *h = test_host_load(name, &err);

    g_assert_no_error(err);
    return h;
}

static const XpvFunc *fx_add(Fx *x, const char *name, XpvBdf host)
{
    return fx_add_host(x, load(name), host, false, false);
}

static TestHost *fx_host(const XpvFunc *f)
{
    return f->opaque;
}

/* Post one op the way pcifront does and let the backend answer it. */
static int32_t op_at(Fx *x, uint32_t cmd, uint32_t dom, uint32_t bus,
                     uint32_t devfn, int32_t off, int32_t size, uint32_t v)
{
    struct xen_pci_op *op = &x->sh.op;

    op->cmd = cmd;
    op->err = 0x7777;
    op->domain = dom;
    op->bus = bus;
    op->devfn = devfn;
    op->offset = off;
    op->size = size;
    op->value = v;
    x->sh.flags |= XEN_PCIF_active;
    memset(x->fetches, 0, sizeof(x->fetches));
    x->nfetch = 0;
    g_assert_true(xpv_handle_op(x->b, &x->pg));
    g_assert_false(x->sh.flags & XEN_PCIF_active);
    return op->err;
}

static int32_t op(Fx *x, const XpvFunc *f, uint32_t cmd, int32_t off,
                  int32_t size, uint32_t v)
{
    return op_at(x, cmd, f->guest.domain, f->guest.bus, f->guest.devfn, off,
                 size, v);
}

static uint32_t conf_rd(Fx *x, const XpvFunc *f, int32_t off, int32_t size)
{
    g_assert_cmpint(op(x, f, XEN_PCI_OP_conf_read, off, size, 0), ==,
                    XEN_PCI_ERR_success);
    return x->sh.op.value;
}

static void set_entries(Fx *x, const uint16_t *idx, unsigned n)
{
    unsigned i;

    for (i = 0; i < SH_INFO_MAX_VEC; i++) {
        x->sh.op.msix_entries[i].entry = i < n ? idx[i] : 0;
        x->sh.op.msix_entries[i].vector = SENTINEL;
    }
}

static int32_t enable_msix(Fx *x, const XpvFunc *f, const uint16_t *idx,
                           unsigned n)
{
    set_entries(x, idx, n);
    return op(x, f, XEN_PCI_OP_enable_msix, 0, 0, n);
}

/* A function with an MSI capability of @mmc (log2 vectors). */
static TestHost *multi_msi_host(unsigned mmc)
{
    TestHost *h = test_host_synthetic(XPF_CFG_SIZE);

    test_host_add_cap(h, 0x50, 0x05, 10);
    test_host_set(h, 0x52, 2, mmc << 1);
    return h;
}

/* ---- BDF modes ---- */

static void test_vpci_renumber(void)
{
    Fx x;
    const XpvFunc *a, *c;
    char buf[XPV_VDEV_STRLEN];

    fx_init(&x, XPV_MODE_VPCI);
    a = fx_add(&x, "edu", bdf(0, 3, 0, 0));
    c = fx_add(&x, "e1000", bdf(2, 0x85, 2, 0));
    xpv_format_vdev(buf, a->guest);
    g_assert_cmpstr(buf, ==, "0000:00:00.0");
    xpv_format_vdev(buf, c->guest);
    g_assert_cmpstr(buf, ==, "0000:00:01.0");
    xpv_format_vdev(buf, c->host);
    g_assert_cmpstr(buf, ==, "0002:85:02.0");
    g_assert_true(xpv_find_guest(x.b, 0, 0, DEVFN(1, 0)) == c);
    g_assert_true(xpv_find_host(x.b, bdf(2, 0x85, 2, 0)) == c);
    g_assert_null(xpv_find_guest(x.b, 2, 0x85, DEVFN(2, 0)));
    /* The guest names functions by their virtual BDF only. */
    g_assert_cmpuint(conf_rd(&x, c, 0, 4), ==, 0x100e8086);
    g_assert_cmpint(op_at(&x, XEN_PCI_OP_conf_read, 2, 0x85, DEVFN(2, 0),
                          0, 4, 0), ==, XEN_PCI_ERR_dev_not_found);
    g_assert_cmpint(xpv_backend_mode(x.b), ==, XPV_MODE_VPCI);
    fx_free(&x);
}

static void test_vpci_multifunction(void)
{
    Fx x;
    const XpvFunc *f0, *o, *f3, *vf, *o1;

    fx_init(&x, XPV_MODE_VPCI);
    f3 = fx_add(&x, "e1000", bdf(0, 7, 0, 3));
    o = fx_add(&x, "edu", bdf(0, 4, 0, 0));
    f0 = fx_add(&x, "e1000e", bdf(0, 7, 0, 0));
    vf = fx_add_host(&x, load("e1000"), bdf(0, 7, 0, 5), false, true);
    o1 = fx_add(&x, "e1000", bdf(0, 4, 1, 0));
    /* Functions of 0000:07:00 share slot 0 and keep their numbers. */
    g_assert_cmpuint(f3->guest.devfn, ==, DEVFN(0, 3));
    g_assert_cmpuint(f0->guest.devfn, ==, DEVFN(0, 0));
    g_assert_cmpuint(o->guest.devfn, ==, DEVFN(1, 0));
    /*
     * A virtual function at host function 5 joins its host device's slot
     * as any function (pciback's vpci.c: only a VF at function 0 stays
     * alone; seen in the bed: VF 0000:00:0b.1, alone, became 00:04.1).
     */
    g_assert_cmpuint(vf->guest.devfn, ==, DEVFN(0, 5));
    /* Another slot of the same host bus is another device. */
    g_assert_cmpuint(o1->guest.devfn, ==, DEVFN(2, 0));
    g_assert_cmpuint(conf_rd(&x, f3, 0, 4), ==, 0x100e8086);
    g_assert_cmpuint(conf_rd(&x, f0, 0, 4), ==, 0x10d38086);
    g_assert_cmpuint(xpv_num_funcs(x.b), ==, 5);
    fx_free(&x);

    /* A VF first, at function 2: its slot and number; others join it. */
    fx_init(&x, XPV_MODE_VPCI);
    vf = fx_add_host(&x, load("e1000"), bdf(0, 7, 0, 2), false, true);
    f3 = fx_add(&x, "e1000", bdf(0, 7, 0, 3));
    g_assert_cmpuint(vf->guest.devfn, ==, DEVFN(0, 2));
    g_assert_cmpuint(f3->guest.devfn, ==, DEVFN(0, 3));
    fx_free(&x);

    /* A VF at function 0 is alone: it joins no slot, and nothing its. */
    fx_init(&x, XPV_MODE_VPCI);
    f3 = fx_add(&x, "e1000", bdf(0, 7, 0, 3));
    vf = fx_add_host(&x, load("e1000"), bdf(0, 7, 0, 0), false, true);
    o = fx_add(&x, "edu", bdf(0, 7, 0, 4));
    g_assert_cmpuint(f3->guest.devfn, ==, DEVFN(0, 3));
    g_assert_cmpuint(vf->guest.devfn, ==, DEVFN(1, 0));
    g_assert_cmpuint(o->guest.devfn, ==, DEVFN(0, 4));
    fx_free(&x);
    fx_init(&x, XPV_MODE_VPCI);
    vf = fx_add_host(&x, load("e1000"), bdf(0, 7, 0, 0), false, true);
    f3 = fx_add(&x, "e1000", bdf(0, 7, 0, 3));
    g_assert_cmpuint(vf->guest.devfn, ==, DEVFN(0, 0));
    g_assert_cmpuint(f3->guest.devfn, ==, DEVFN(1, 3));
    fx_free(&x);
}

static void test_vpci_table_full(void)
{
    g_autoptr(GError) err = NULL;
    XpvFuncConfig fc = { .host = bdf(0, 2, 0, 0) };
    const XpvFunc *f;
    unsigned i;
    Fx x;

    fx_init(&x, XPV_MODE_VPCI);
    for (i = 0; i < XPV_MAX_FUNCS; i++) {
        f = fx_add(&x, "e1000", bdf(0, 1, i, 0));
        g_assert_cmpuint(f->guest.devfn, ==, DEVFN(i, 0));
    }
    fc.dev = g_ptr_array_index(x.devs, 0);
    g_assert_null(xpv_add_func(x.b, &fc, &err));
    g_assert_nonnull(strstr(err->message, "32 functions"));
    g_clear_error(&err);
    /* Same host function twice, and no device. */
    fc.host = bdf(0, 1, 4, 0);
    g_assert_true(xpv_remove_func(x.b, bdf(0, 1, 7, 0), &err));
    g_assert_null(xpv_add_func(x.b, &fc, &err));
    g_assert_nonnull(strstr(err->message, "already exported"));
    g_clear_error(&err);
    fc.host = bdf(0, 2, 0, 0);
    fc.dev = NULL;
    g_assert_null(xpv_add_func(x.b, &fc, &err));
    g_clear_error(&err);
    /* The freed virtual slot is reused. */
    f = fx_add(&x, "edu", bdf(0, 9, 0, 0));
    g_assert_cmpuint(f->guest.devfn, ==, DEVFN(7, 0));
    g_assert_true(xpv_func_at(x.b, 7) == f);
    g_assert_null(xpv_func_at(x.b, XPV_MAX_FUNCS));
    fx_free(&x);
}

static void test_passthrough_roots(void)
{
    XpvBus roots[XPV_MAX_FUNCS];
    char buf[XPV_ROOT_STRLEN];
    const XpvFunc *a;
    Fx x;

    fx_init(&x, XPV_MODE_PASSTHROUGH);
    g_assert_cmpuint(xpv_root_buses(x.b, roots, 8), ==, 0);
    a = fx_add(&x, "edu", bdf(0, 5, 0, 0));
    fx_add(&x, "e1000", bdf(1, 2, 3, 0));
    fx_add(&x, "e1000e", bdf(0, 5, 1, 0));
    fx_add(&x, "nvme", bdf(0, 3, 0, 0));
    /* The guest sees host BDFs. */
    g_assert_cmpuint(a->guest.bus, ==, 5);
    g_assert_cmpuint(conf_rd(&x, a, 0, 2), ==, 0x1234);
    g_assert_cmpint(op_at(&x, XEN_PCI_OP_conf_read, 0, 0, 0, 0, 4, 0), ==,
                    XEN_PCI_ERR_dev_not_found);
    g_assert_cmpuint(xpv_root_buses(x.b, roots, 8), ==, 3);
    xpv_format_root(buf, roots[0]);
    g_assert_cmpstr(buf, ==, "0000:03");
    xpv_format_root(buf, roots[1]);
    g_assert_cmpstr(buf, ==, "0000:05");
    xpv_format_root(buf, roots[2]);
    g_assert_cmpstr(buf, ==, "0001:02");
    g_assert_cmpuint(xpv_root_buses(x.b, roots, 2), ==, 2);
    g_assert_true(xpv_remove_func(x.b, bdf(0, 3, 0, 0), NULL));
    g_assert_cmpuint(xpv_root_buses(x.b, roots, 8), ==, 2);
    g_assert_cmpuint(roots[0].bus, ==, 5);
    fx_free(&x);

    /* vpci: one root, 0000:00, published even before any function. */
    fx_init(&x, XPV_MODE_VPCI);
    g_assert_cmpuint(xpv_root_buses(x.b, roots, 8), ==, 1);
    fx_add(&x, "edu", bdf(0, 5, 0, 0));
    g_assert_cmpuint(xpv_root_buses(x.b, roots, 8), ==, 1);
    xpv_format_root(buf, roots[0]);
    g_assert_cmpstr(buf, ==, "0000:00");
    g_assert_cmpuint(xpv_root_buses(x.b, roots, 0), ==, 0);
    fx_free(&x);
}

/* ---- config ops and error codes ---- */

/*
 * The path hears of every op once, with what the frontend asked and what
 * it was answered: a good read, a bad size, an absent function.
 */
static void test_answered_hook(void)
{
    const XpvOpRecord *r;
    const XpvFunc *f;
    uint32_t vendor;
    Fx x;

    fx_init(&x, XPV_MODE_VPCI);
    f = fx_add(&x, "edu", bdf(0, 1, 0, 0));
    vendor = conf_rd(&x, f, 0, 2);
    fk_answered = g_array_new(false, true, sizeof(XpvOpRecord));
    g_assert_cmphex(conf_rd(&x, f, 0, 2), ==, vendor);
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_conf_read, 2, 3, 0), ==,
                    XEN_PCI_ERR_invalid_offset);
    g_assert_cmpint(op_at(&x, XEN_PCI_OP_conf_write, 0, 0, 9 << 3, 4, 2,
                          0x6), ==, XEN_PCI_ERR_dev_not_found);
    g_assert_cmpuint(fk_answered->len, ==, 3);
    r = &g_array_index(fk_answered, XpvOpRecord, 0);
    g_assert_cmpuint(r->cmd, ==, XEN_PCI_OP_conf_read);
    g_assert_cmpuint(r->devfn, ==, f->guest.devfn);
    g_assert_cmpint(r->offset, ==, 0);
    g_assert_cmpint(r->size, ==, 2);
    g_assert_cmphex(r->out_value, ==, vendor);
    g_assert_cmpint(r->err, ==, XEN_PCI_ERR_success);
    r = &g_array_index(fk_answered, XpvOpRecord, 1);
    g_assert_cmpint(r->offset, ==, 2);
    g_assert_cmpint(r->size, ==, 3);
    g_assert_cmpint(r->err, ==, XEN_PCI_ERR_invalid_offset);
    r = &g_array_index(fk_answered, XpvOpRecord, 2);
    g_assert_cmpuint(r->cmd, ==, XEN_PCI_OP_conf_write);
    g_assert_cmpuint(r->devfn, ==, 9 << 3);
    g_assert_cmphex(r->in_value, ==, 0x6);
    g_assert_cmpint(r->err, ==, XEN_PCI_ERR_dev_not_found);
    g_clear_pointer(&fk_answered, g_array_unref);
    fx_free(&x);
}

static void test_conf_read_write(void)
{
    const XpvFunc *f;
    Fx x;

    fx_init(&x, XPV_MODE_VPCI);
    f = fx_add(&x, "e1000e", bdf(0, 1, 0, 0));
    g_assert_cmpuint(conf_rd(&x, f, 0, 4), ==, 0x10d38086);
    g_assert_cmpuint(conf_rd(&x, f, 2, 2), ==, 0x10d3);
    g_assert_cmpuint(conf_rd(&x, f, 1, 1), ==, 0x80);
    g_assert_cmpuint(conf_rd(&x, f, 0x4, 2), ==, 0x0007);
    /* Only the fixed part of the op is read for a config access. */
    g_assert_cmpuint(x.fetches[OFF_OP + OP_HDR], ==, 0);
    g_assert_cmpuint(x.nfetch, ==, 2);

    g_assert_cmpint(op(&x, f, XEN_PCI_OP_conf_write, 4, 2, 0x0005), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpuint(x.sh.op.value, ==, 0x0005);
    g_assert_cmpuint(xpf_command(f->dev), ==, 0x0005);
    g_assert_cmpuint(conf_rd(&x, f, 0x4, 2), ==, 0x0005);
    /* Read-only bytes: dropped, not an error (as pciback). */
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_conf_write, 0, 2, 0xffff), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpuint(conf_rd(&x, f, 0, 2), ==, 0x8086);
    /* A conventional function has no extended space: reads as 0. */
    f = fx_add(&x, "edu", bdf(0, 2, 0, 0));
    g_assert_cmpuint(conf_rd(&x, f, 0x100, 4), ==, 0);
    g_assert_cmpuint(f->stats.ops[XEN_PCI_OP_conf_read], ==, 1);
    fx_free(&x);
}

static void test_conf_errors(void)
{
    static const struct {
        int32_t off, size;
    } bad[] = {
        { 0, 0 }, { 0, 3 }, { 0, 8 }, { 0, -1 }, { 1, 2 }, { 2, 4 },
        { 6, 4 }, { 4096, 1 }, { 4096, 4 }, { -4, 4 }, { -1, 1 },
        { 0x7ffffffc, 4 }, { INT32_MIN, 1 },
    };
    XpvStats st;
    const XpvFunc *f;
    unsigned i;
    Fx x;

    fx_init(&x, XPV_MODE_VPCI);
    f = fx_add(&x, "e1000e", bdf(0, 1, 0, 0));
    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_cmpint(op(&x, f, XEN_PCI_OP_conf_read, bad[i].off,
                           bad[i].size, 0x5a5a), ==,
                        XEN_PCI_ERR_invalid_offset);
        g_assert_cmpuint(x.sh.op.value, ==, 0);
        g_assert_cmpint(op(&x, f, XEN_PCI_OP_conf_write, bad[i].off,
                           bad[i].size, 0), ==, XEN_PCI_ERR_invalid_offset);
    }
    g_assert_cmpuint(test_host_writes(fx_host(f)), ==, 0);
    g_assert_cmpuint(conf_rd(&x, f, 4095, 1), ==,
                     fx_host(f)->cfg[4095]);
    g_assert_cmpuint(conf_rd(&x, f, 4092, 4), ==,
                     test_host_get(fx_host(f), 4092, 4));

    /* The engine's refusal and the host's failure. */
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_conf_write, 0xd2, 2, 0x0001), ==,
                    XEN_PCI_ERR_access_denied);
    g_assert_false(xpf_interrupt_type(f->dev) & XPF_INTR_MSI);
    fx_host(f)->fail = true;
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_conf_read, 0x06, 2, 0), ==,
                    XEN_PCI_ERR_op_failed);
    g_assert_cmpuint(x.sh.op.value, ==, 0);
    fx_host(f)->fail = false;

    xpv_get_stats(x.b, &st);
    g_assert_cmpuint(st.errors[-XEN_PCI_ERR_invalid_offset], ==,
                     2 * G_N_ELEMENTS(bad));
    g_assert_cmpuint(st.errors[-XEN_PCI_ERR_access_denied], ==, 1);
    g_assert_cmpuint(st.errors[-XEN_PCI_ERR_op_failed], ==, 1);
    g_assert_cmpuint(f->stats.errors[-XEN_PCI_ERR_invalid_offset], ==,
                     2 * G_N_ELEMENTS(bad));
    fx_free(&x);
}

static void test_dev_not_found(void)
{
    const XpvFunc *f;
    XpvStats st;
    Fx x;

    fx_init(&x, XPV_MODE_VPCI);
    f = fx_add(&x, "edu", bdf(0, 1, 0, 0));
    g_assert_cmpint(op_at(&x, XEN_PCI_OP_conf_read, 0, 0, DEVFN(0, 1), 0, 4,
                          0), ==, XEN_PCI_ERR_dev_not_found);
    g_assert_cmpint(op_at(&x, XEN_PCI_OP_conf_read, 0, 1, 0, 0, 4, 0), ==,
                    XEN_PCI_ERR_dev_not_found);
    g_assert_cmpint(op_at(&x, XEN_PCI_OP_conf_read, 0x10000, 0, 0, 0, 4, 0),
                    ==, XEN_PCI_ERR_dev_not_found);
    g_assert_cmpint(op_at(&x, XEN_PCI_OP_enable_msi, 0, 0, 0x100, 0, 0, 0),
                    ==, XEN_PCI_ERR_dev_not_found);
    /* As pciback: an unknown function wins over an unknown op. */
    g_assert_cmpint(op_at(&x, 99, 0, 0, 8, 0, 4, 0), ==,
                    XEN_PCI_ERR_dev_not_found);
    g_assert_cmpuint(fake.enable_msi, ==, 0);
    xpv_get_stats(x.b, &st);
    g_assert_cmpuint(st.errors[-XEN_PCI_ERR_dev_not_found], ==, 5);
    g_assert_cmpuint(st.ops, ==, 5);
    g_assert_cmpuint(f->stats.ops[XEN_PCI_OP_conf_read], ==, 0);
    fx_free(&x);
}

static void test_not_implemented(void)
{
    static const uint32_t cmds[] = {
        XEN_PCI_OP_aer_detected, XEN_PCI_OP_aer_resume, XEN_PCI_OP_aer_mmio,
        XEN_PCI_OP_aer_slotreset, 11, 0x80000000u, UINT32_MAX,
    };
    const XpvFunc *f;
    unsigned i;
    Fx x;

    fx_init(&x, XPV_MODE_VPCI);
    f = fx_add(&x, "edu", bdf(0, 1, 0, 0));
    fk_refused_n = 0;
    for (i = 0; i < G_N_ELEMENTS(cmds); i++) {
        g_assert_cmpint(op(&x, f, cmds[i], 0, 4, 0), ==,
                        XEN_PCI_ERR_not_implemented);
        /* each refusal reaches the path, for its guest-error log */
        g_assert_cmpuint(fk_refused_n, ==, i + 1);
        g_assert_cmphex(fk_refused_cmd, ==, cmds[i]);
        g_assert_cmpint(fk_refused_err, ==, XEN_PCI_ERR_not_implemented);
    }
    /* A good op and a probe of an absent function are not refusals. */
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_conf_read, 0, 4, 0), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpint(op_at(&x, XEN_PCI_OP_conf_read, 0, 0, 9 << 3, 0,
                          4, 0), ==, XEN_PCI_ERR_dev_not_found);
    g_assert_cmpuint(fk_refused_n, ==, G_N_ELEMENTS(cmds));
    /* A bad size is. */
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_conf_read, 0, 3, 0), ==,
                    XEN_PCI_ERR_invalid_offset);
    g_assert_cmpuint(fk_refused_n, ==, G_N_ELEMENTS(cmds) + 1);
    g_assert_cmpuint(f->stats.ops[XPV_NUM_OPS], ==, 3);
    g_assert_cmpuint(f->stats.ops[XEN_PCI_OP_aer_mmio], ==, 1);
    g_assert_cmpuint(f->stats.errors[-XEN_PCI_ERR_not_implemented], ==,
                     G_N_ELEMENTS(cmds));
    g_assert_cmpstr(xpv_op_name(XEN_PCI_OP_enable_msix), ==, "enable_msix");
    g_assert_cmpstr(xpv_op_name(11), ==, "unknown");
    fx_free(&x);

    /* A path without interrupt hooks: the MSI ops are not implemented. */
    fx_init_hooks(&x, XPV_MODE_VPCI, NULL);
    f = fx_add(&x, "e1000e", bdf(0, 1, 0, 0));
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_enable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_not_implemented);
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_enable_multi_msi, 0, 0, 1), ==,
                    XEN_PCI_ERR_not_implemented);
    g_assert_cmpint(enable_msix(&x, f, (const uint16_t[]){ 0 }, 1), ==,
                    XEN_PCI_ERR_not_implemented);
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_disable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpuint(xpf_interrupt_type(f->dev), ==, XPF_INTR_INTX);
    fx_free(&x);
}

static void test_page_completion(void)
{
    const XpvFunc *f;
    struct xen_pci_sharedinfo before;
    Fx x;

    fx_init(&x, XPV_MODE_VPCI);
    f = fx_add(&x, "edu", bdf(0, 1, 0, 0));
    /* Nothing pending: the page is left alone. */
    memset(&x.sh, 0x5a, sizeof(x.sh));
    x.sh.flags = XEN_PCIB_AERHANDLER;
    before = x.sh;
    g_assert_false(xpv_handle_op(x.b, &x.pg));
    g_assert_cmpmem(&before, sizeof(before), &x.sh, sizeof(x.sh));
    /* Only _XEN_PCIF_active is cleared; err and value are written. */
    x.sh.flags = XEN_PCIB_AERHANDLER | XEN_PCIB_active;
    g_assert_cmpuint(conf_rd(&x, f, 0, 2), ==, 0x1234);
    g_assert_cmpuint(x.sh.flags, ==, XEN_PCIB_AERHANDLER | XEN_PCIB_active);
    /* The flags and the op were each read once. */
    g_assert_cmpuint(x.fetches[0], ==, 1);
    g_assert_cmpuint(x.nfetch, ==, 2);
    fx_free(&x);
}

/* ---- MSI ---- */

static void test_enable_msi(void)
{
    const XpvFunc *f;
    XpfMsiState msi;
    Fx x;

    fx_init(&x, XPV_MODE_VPCI);
    f = fx_add(&x, "edu", bdf(0, 1, 0, 0));
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_enable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpuint(x.sh.op.value, ==, PIRQ_BASE);
    g_assert_cmpuint(fake.enable_msi, ==, 1);
    g_assert_cmpuint(fake.last_nvec, ==, 1);
    g_assert_true(fake.last_func == f);
    g_assert_cmpint(f->irq, ==, XPV_IRQ_MSI);
    g_assert_cmpint(f->pirqs[0], ==, PIRQ_BASE);
    /* Mirrored into the engine: the guest reads MSI enabled. */
    xpf_msi_state(f->dev, &msi);
    g_assert_true(msi.enabled);
    g_assert_cmpuint(msi.vectors_enabled, ==, 1);
    g_assert_cmpuint(conf_rd(&x, f, 0x42, 2) & 1, ==, 1);
    g_assert_cmpuint(xpf_interrupt_type(f->dev), ==, XPF_INTR_MSI);

    g_assert_cmpint(op(&x, f, XEN_PCI_OP_disable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpuint(x.sh.op.value, ==, f->intx_pirq);
    g_assert_cmpuint(fake.disable_msi, ==, 1);
    g_assert_cmpint(fake.irq_at_disable, ==, XPV_IRQ_MSI);
    g_assert_cmpint(f->irq, ==, XPV_IRQ_NONE);
    g_assert_cmpuint(conf_rd(&x, f, 0x42, 2) & 1, ==, 0);
    /* And again, with a fresh pirq. */
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_enable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpuint(x.sh.op.value, ==, PIRQ_BASE + 1);
    g_assert_cmpuint(f->stats.ops[XEN_PCI_OP_enable_msi], ==, 2);
    fx_free(&x);
}

static void test_enable_msi_errors(void)
{
    const XpvFunc *f, *intx;
    Fx x;

    fx_init(&x, XPV_MODE_VPCI);
    f = fx_add(&x, "edu", bdf(0, 1, 0, 0));
    intx = fx_add(&x, "e1000", bdf(0, 2, 0, 0));
    /* No MSI capability. */
    g_assert_cmpint(op(&x, intx, XEN_PCI_OP_enable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_op_failed);
    g_assert_cmpuint(x.sh.op.value, ==, 0);
    g_assert_cmpuint(fake.enable_msi, ==, 0);
    /* The hook fails: nothing recorded, nothing to undo. */
    fake.fail = -5;
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_enable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_op_failed);
    g_assert_cmpuint(fake.enable_msi, ==, 1);
    g_assert_cmpuint(fake.disable_msi, ==, 0);
    g_assert_cmpint(f->irq, ==, XPV_IRQ_NONE);
    g_assert_false(xpf_interrupt_type(f->dev) & XPF_INTR_MSI);
    /* The hook hands out a bad pirq: undone through the hooks. */
    fake.fail = 0;
    fake.bad_pirq = -1;
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_enable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_op_failed);
    g_assert_cmpuint(fake.disable_msi, ==, 1);
    g_assert_cmpint(f->irq, ==, XPV_IRQ_NONE);
    g_assert_false(xpf_interrupt_type(f->dev) & XPF_INTR_MSI);
    fake.bad_pirq = 0;
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_enable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_success);
    fx_free(&x);
}

/*
 * The op core's checks of enable_multi_msi, with a fake path that takes
 * several vectors; the real path (the function layer) takes one, since
 * Xen maps one MSI vector for a backend (/intr/pv-multi-msi).
 */
static void test_multi_msi(void)
{
    static const uint32_t bad[] = { 0, 3, 6, 16, 32, 64, UINT32_MAX };
    const XpvFunc *f, *one;
    XpfMsiState msi;
    unsigned i;
    Fx x;

    fx_init(&x, XPV_MODE_VPCI);
    f = fx_add_host(&x, multi_msi_host(3), bdf(0, 1, 0, 0), false, false);
    one = fx_add(&x, "edu", bdf(0, 2, 0, 0));
    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_cmpint(op(&x, f, XEN_PCI_OP_enable_multi_msi, 0, 0, bad[i]),
                        ==, XEN_PCI_ERR_op_failed);
    }
    g_assert_cmpint(op(&x, one, XEN_PCI_OP_enable_multi_msi, 0, 0, 2), ==,
                    XEN_PCI_ERR_op_failed);
    g_assert_cmpuint(fake.enable_msi, ==, 0);

    g_assert_cmpint(op(&x, f, XEN_PCI_OP_enable_multi_msi, 0, 0, 8), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpuint(fake.last_nvec, ==, 8);
    g_assert_cmpuint(x.sh.op.value, ==, PIRQ_BASE);
    g_assert_cmpint(f->irq, ==, XPV_IRQ_MULTI_MSI);
    g_assert_cmpuint(f->nvec, ==, 8);
    g_assert_cmpint(f->pirqs[7], ==, PIRQ_BASE + 7);
    xpf_msi_state(f->dev, &msi);
    g_assert_true(msi.enabled);
    g_assert_cmpuint(msi.vectors_enabled, ==, 8);
    g_assert_cmpuint(conf_rd(&x, f, 0x52, 2) & 0x71, ==, 0x31);
    /* Already on (XSA-157). */
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_enable_multi_msi, 0, 0, 2), ==,
                    XEN_PCI_ERR_op_failed);
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_enable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_op_failed);
    g_assert_cmpuint(fake.enable_msi, ==, 1);
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_disable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpuint(fake.disable_msi, ==, 1);
    g_assert_cmpint(fake.irq_at_disable, ==, XPV_IRQ_MULTI_MSI);
    g_assert_cmpuint(conf_rd(&x, f, 0x52, 2) & 0x71, ==, 0);
    /* One vector through the multi op is plain MSI. */
    g_assert_cmpint(op(&x, one, XEN_PCI_OP_enable_multi_msi, 0, 0, 1), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpint(one->irq, ==, XPV_IRQ_MSI);
    fx_free(&x);
}

/* ---- MSI-X ---- */

static void test_enable_msix(void)
{
    static const uint16_t idx[] = { 3, 0, 4 };
    const XpvFunc *f;
    XpfMsixState mx;
    unsigned i;
    Fx x;

    fx_init(&x, XPV_MODE_VPCI);
    f = fx_add(&x, "e1000e", bdf(0, 1, 0, 0));
    g_assert_cmpint(enable_msix(&x, f, idx, 3), ==, XEN_PCI_ERR_success);
    g_assert_cmpuint(x.sh.op.value, ==, 0);
    g_assert_cmpuint(fake.enable_msix, ==, 1);
    g_assert_cmpuint(fake.last_nvec, ==, 3);
    for (i = 0; i < 3; i++) {
        g_assert_cmpuint(fake.last_entries[i].entry, ==, idx[i]);
        g_assert_cmpuint(x.sh.op.msix_entries[i].vector, ==, PIRQ_BASE + i);
        g_assert_cmpuint(x.sh.op.msix_entries[i].entry, ==, idx[i]);
        g_assert_cmpuint(f->msix_entries[i], ==, idx[i]);
        g_assert_cmpint(f->pirqs[i], ==, PIRQ_BASE + i);
    }
    g_assert_cmpuint(x.sh.op.msix_entries[3].vector, ==, SENTINEL);
    g_assert_cmpint(f->irq, ==, XPV_IRQ_MSIX);
    g_assert_cmpuint(f->nvec, ==, 3);
    xpf_msix_state(f->dev, &mx);
    g_assert_true(mx.enabled);
    g_assert_false(mx.masked);
    g_assert_cmpuint(conf_rd(&x, f, 0xa2, 2) & 0x8000, ==, 0x8000);
    g_assert_cmpuint(xpf_interrupt_type(f->dev), ==, XPF_INTR_MSIX);

    g_assert_cmpint(op(&x, f, XEN_PCI_OP_disable_msix, 0, 0, 0), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpuint(x.sh.op.value, ==, f->intx_pirq);
    g_assert_cmpuint(fake.disable_msix, ==, 1);
    g_assert_cmpint(fake.irq_at_disable, ==, XPV_IRQ_MSIX);
    g_assert_cmpuint(conf_rd(&x, f, 0xa2, 2) & 0x8000, ==, 0);
    g_assert_cmpint(f->irq, ==, XPV_IRQ_NONE);
    g_assert_cmpuint(f->nvec, ==, 0);
    g_assert_cmpuint(f->msix_entries[0], ==, 0);
    g_assert_cmpint(f->pirqs[0], ==, 0);
    fx_free(&x);

    /* The whole table of a 65-entry function. */
    fx_init(&x, XPV_MODE_VPCI);
    f = fx_add(&x, "nvme", bdf(0, 1, 0, 0));
    {
        uint16_t all[66];

        for (i = 0; i < 66; i++) {
            all[i] = i;
        }
        g_assert_cmpint(enable_msix(&x, f, all, 66), ==,
                        XEN_PCI_ERR_op_failed);
        g_assert_cmpint(enable_msix(&x, f, all, 65), ==,
                        XEN_PCI_ERR_success);
        g_assert_cmpuint(x.sh.op.msix_entries[64].vector, ==,
                         PIRQ_BASE + 64);
        g_assert_cmpuint(x.sh.op.msix_entries[65].vector, ==, SENTINEL);
    }
    fx_free(&x);
}

static void test_enable_msix_errors(void)
{
    static const struct {
        uint16_t idx[4];
        unsigned n;
    } bad[] = {
        { { 0 }, 0 },                   /* no vector */
        { { 0, 1, 2, 3 }, 6 },          /* more than the table */
        { { 0 }, 129 },                 /* more than the page holds */
        { { 1, 1 }, 2 },                /* duplicate */
        { { 0, 3, 2, 3 }, 4 },
        { { 5 }, 1 },                   /* beyond the table */
        { { 0xffff }, 1 },
    };
    const XpvFunc *f, *edu;
    unsigned i;
    Fx x;

    fx_init(&x, XPV_MODE_VPCI);
    f = fx_add(&x, "e1000e", bdf(0, 1, 0, 0));
    edu = fx_add(&x, "edu", bdf(0, 2, 0, 0));
    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        set_entries(&x, bad[i].idx, MIN(bad[i].n, 4));
        g_assert_cmpint(op(&x, f, XEN_PCI_OP_enable_msix, 0, 0, bad[i].n),
                        ==, XEN_PCI_ERR_op_failed);
        g_assert_cmpuint(x.sh.op.value, ==, 0);
        g_assert_cmpuint(x.sh.op.msix_entries[0].vector, ==, SENTINEL);
    }
    g_assert_cmpuint(fake.enable_msix, ==, 0);
    /* No MSI-X capability. */
    g_assert_cmpint(enable_msix(&x, edu, (const uint16_t[]){ 0 }, 1), ==,
                    XEN_PCI_ERR_op_failed);
    /* Memory decode off (the engine's virtual command register). */
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_conf_write, 4, 2, 0x0004), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpint(enable_msix(&x, f, (const uint16_t[]){ 0 }, 1), ==,
                    XEN_PCI_ERR_op_failed);
    g_assert_cmpuint(fake.enable_msix, ==, 0);
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_conf_write, 4, 2, 0x0006), ==,
                    XEN_PCI_ERR_success);
    /* Hook failure, then a pirq that does not fit the vector field. */
    fake.fail = -1;
    g_assert_cmpint(enable_msix(&x, f, (const uint16_t[]){ 0 }, 1), ==,
                    XEN_PCI_ERR_op_failed);
    g_assert_cmpuint(fake.disable_msix, ==, 0);
    fake.fail = 0;
    fake.bad_pirq = 0x10000;
    g_assert_cmpint(enable_msix(&x, f, (const uint16_t[]){ 0, 1 }, 2), ==,
                    XEN_PCI_ERR_op_failed);
    g_assert_cmpuint(fake.disable_msix, ==, 1);
    g_assert_cmpint(f->irq, ==, XPV_IRQ_NONE);
    g_assert_cmpuint(x.sh.op.msix_entries[1].vector, ==, SENTINEL);
    g_assert_false(xpf_interrupt_type(f->dev) & XPF_INTR_MSIX);
    fake.bad_pirq = 0;
    g_assert_cmpint(enable_msix(&x, f, (const uint16_t[]){ 0, 1 }, 2), ==,
                    XEN_PCI_ERR_success);
    fx_free(&x);
}

/* ---- XSA-155: the op is read once ---- */

static void mutate_op(Fx *x, size_t off, size_t len)
{
    if (off == OFF_OP) {
        x->mutated++;
        x->sh.op.cmd = XEN_PCI_OP_conf_write;
        x->sh.op.devfn = DEVFN(1, 0);
        x->sh.op.offset = 4;
        x->sh.op.size = 2;
        x->sh.op.value = 0;
    }
}

static void test_xsa155_op_double_fetch(void)
{
    const XpvFunc *a, *c;
    size_t i;
    Fx x;

    fx_init(&x, XPV_MODE_VPCI);
    a = fx_add(&x, "edu", bdf(0, 1, 0, 0));
    c = fx_add(&x, "e1000", bdf(0, 2, 0, 0));
    test_host_clear_log(fx_host(a));
    test_host_clear_log(fx_host(c));
    x.mutate = mutate_op;
    /* Everything changes behind the backend: it answers what it copied. */
    g_assert_cmpuint(conf_rd(&x, a, 0, 4), ==, 0x11e81234);
    /* The page did change behind the backend, once, after its copy. */
    g_assert_cmpuint(x.mutated, ==, 1);
    g_assert_cmpuint(test_host_writes(fx_host(a)), ==, 0);
    g_assert_cmpuint(test_host_writes(fx_host(c)), ==, 0);
    g_assert_cmpuint(xpf_command(c->dev), ==, 0x0007);
    g_assert_cmpuint(c->stats.ops[XEN_PCI_OP_conf_write], ==, 0);
    for (i = 0; i < sizeof(x.sh); i++) {
        g_assert_cmpuint(x.fetches[i], <=, 1);
    }
    /* A write keeps the value it was posted with. */
    g_assert_cmpint(op(&x, c, XEN_PCI_OP_conf_write, 4, 2, 0x0005), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpuint(x.mutated, ==, 2);
    g_assert_cmpuint(xpf_command(c->dev), ==, 0x0005);
    fx_free(&x);
}

static void mutate_count(Fx *x, size_t off, size_t len)
{
    unsigned i;

    if (off == OFF_OP) {
        x->mutated++;
        x->sh.op.value = 128;
        for (i = 2; i < SH_INFO_MAX_VEC; i++) {
            x->sh.op.msix_entries[i].entry = 0;
        }
    }
}

static void test_xsa155_msix_count(void)
{
    static const uint16_t idx[] = { 4, 2 };
    const XpvFunc *f;
    size_t i;
    Fx x;

    fx_init(&x, XPV_MODE_VPCI);
    f = fx_add(&x, "e1000e", bdf(0, 1, 0, 0));
    /* A count past the page: no entry is even read. */
    set_entries(&x, idx, 2);
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_enable_msix, 0, 0, 200), ==,
                    XEN_PCI_ERR_op_failed);
    g_assert_cmpuint(x.fetches[OFF_MSIX], ==, 0);
    g_assert_cmpuint(x.nfetch, ==, 2);

    /* The count grows after the copy: the copied one rules. */
    x.mutate = mutate_count;
    g_assert_cmpint(enable_msix(&x, f, idx, 2), ==, XEN_PCI_ERR_success);
    g_assert_cmpuint(x.mutated, ==, 1);
    g_assert_cmpuint(fake.last_nvec, ==, 2);
    g_assert_cmpuint(f->nvec, ==, 2);
    g_assert_cmpuint(x.last_off, ==, OFF_MSIX);
    g_assert_cmpuint(x.last_len, ==, 2 * sizeof(struct xen_msix_entry));
    for (i = 0; i < sizeof(x.sh); i++) {
        g_assert_cmpuint(x.fetches[i], <=, 1);
    }
    g_assert_cmpuint(x.sh.op.msix_entries[0].vector, ==, PIRQ_BASE);
    g_assert_cmpuint(x.sh.op.msix_entries[1].vector, ==, PIRQ_BASE + 1);
    for (i = 2; i < SH_INFO_MAX_VEC; i++) {
        g_assert_cmpuint(x.sh.op.msix_entries[i].vector, ==, SENTINEL);
    }
    g_assert_cmpuint(fake.last_entries[0].entry, ==, 4);
    g_assert_cmpuint(fake.last_entries[1].entry, ==, 2);
    fx_free(&x);
}

/* ---- XSA-157: MSI / MSI-X enable and disable rules ---- */

static void test_xsa157_already_enabled(void)
{
    const XpvFunc *f;
    Fx x;

    fx_init(&x, XPV_MODE_VPCI);
    f = fx_add(&x, "e1000e", bdf(0, 1, 0, 0));
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_enable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_success);
    /* MSI twice, MSI-X on top of MSI. */
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_enable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_op_failed);
    g_assert_cmpuint(x.sh.op.value, ==, 0);
    g_assert_cmpint(enable_msix(&x, f, (const uint16_t[]){ 0 }, 1), ==,
                    XEN_PCI_ERR_op_failed);
    g_assert_cmpuint(fake.enable_msi, ==, 1);
    g_assert_cmpuint(fake.enable_msix, ==, 0);
    g_assert_cmpint(f->pirqs[0], ==, PIRQ_BASE);
    g_assert_cmpuint(xpf_interrupt_type(f->dev), ==, XPF_INTR_MSI);
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_disable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_success);

    /* MSI-X twice, MSI on top of MSI-X. */
    g_assert_cmpint(enable_msix(&x, f, (const uint16_t[]){ 0 }, 1), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpint(enable_msix(&x, f, (const uint16_t[]){ 1 }, 1), ==,
                    XEN_PCI_ERR_op_failed);
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_enable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_op_failed);
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_enable_multi_msi, 0, 0, 1), ==,
                    XEN_PCI_ERR_op_failed);
    g_assert_cmpuint(fake.enable_msi, ==, 1);
    g_assert_cmpuint(fake.enable_msix, ==, 1);
    g_assert_cmpuint(f->msix_entries[0], ==, 0);
    g_assert_cmpuint(xpf_interrupt_type(f->dev), ==, XPF_INTR_MSIX);
    fx_free(&x);
}

static void test_xsa157_other_type_in_engine(void)
{
    const XpvFunc *f;
    Fx x;

    /* The guest turned MSI-X on by a config write (interrupt control). */
    fx_init(&x, XPV_MODE_VPCI);
    f = fx_add_host(&x, load("e1000e"), bdf(0, 1, 0, 0), true, false);
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_conf_write, 0xa2, 2, 0x8000), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpuint(xpf_interrupt_type(f->dev), ==, XPF_INTR_MSIX);
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_enable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_op_failed);
    g_assert_cmpuint(fake.enable_msi, ==, 0);
    /* Function mask alone is not an enabled type; enable clears it. */
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_conf_write, 0xa2, 2, 0x4000), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpint(enable_msix(&x, f, (const uint16_t[]){ 0 }, 1), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpuint(conf_rd(&x, f, 0xa2, 2) & 0xc000, ==, 0x8000);
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_disable_msix, 0, 0, 0), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_enable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_success);
    /* And the engine refuses the guest the other type meanwhile. */
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_conf_write, 0xa2, 2, 0x8000), ==,
                    XEN_PCI_ERR_access_denied);
    g_assert_cmpuint(xpf_interrupt_type(f->dev), ==, XPF_INTR_MSI);
    fx_free(&x);
}

static void test_xsa157_disable_not_enabled(void)
{
    const XpvFunc *f;
    Fx x;

    fx_init(&x, XPV_MODE_VPCI);
    f = fx_add(&x, "e1000e", bdf(0, 1, 0, 0));
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_disable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpuint(x.sh.op.value, ==, f->intx_pirq);
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_disable_msix, 0, 0, 0), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpuint(x.sh.op.value, ==, f->intx_pirq);
    g_assert_cmpuint(fake.disable_msi + fake.disable_msix, ==, 0);
    /* Disabling the type that is not on leaves the other one alone. */
    g_assert_cmpint(enable_msix(&x, f, (const uint16_t[]){ 2 }, 1), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_disable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpuint(fake.disable_msi + fake.disable_msix, ==, 0);
    g_assert_cmpint(f->irq, ==, XPV_IRQ_MSIX);
    g_assert_cmpuint(xpf_interrupt_type(f->dev), ==, XPF_INTR_MSIX);
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_disable_msix, 0, 0, 0), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_disable_msix, 0, 0, 0), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpuint(fake.disable_msix, ==, 1);
    /* And the other way round. */
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_enable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_disable_msix, 0, 0, 0), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpuint(fake.disable_msi + fake.disable_msix, ==, 1);
    g_assert_cmpint(f->irq, ==, XPV_IRQ_MSI);
    g_assert_cmpuint(xpf_interrupt_type(f->dev), ==, XPF_INTR_MSI);
    fx_free(&x);
}

/* ---- several functions, hot add and remove ---- */

static void test_multi_function_routing(void)
{
    const XpvFunc *edu, *e1000e, *e1000;
    Fx x;

    fx_init(&x, XPV_MODE_VPCI);
    edu = fx_add(&x, "edu", bdf(0, 3, 0, 0));
    e1000e = fx_add(&x, "e1000e", bdf(0, 3, 0, 1));
    e1000 = fx_add(&x, "e1000", bdf(0, 4, 0, 0));
    g_assert_cmpuint(e1000e->guest.devfn, ==, DEVFN(0, 1));
    g_assert_cmpuint(e1000->guest.devfn, ==, DEVFN(1, 0));
    g_assert_cmpuint(conf_rd(&x, edu, 2, 2), ==, 0x11e8);
    g_assert_cmpuint(conf_rd(&x, e1000e, 2, 2), ==, 0x10d3);
    g_assert_cmpuint(conf_rd(&x, e1000, 2, 2), ==, 0x100e);

    g_assert_cmpint(op(&x, edu, XEN_PCI_OP_enable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_success);
    g_assert_true(fake.last_func == edu);
    g_assert_cmpint(enable_msix(&x, e1000e, (const uint16_t[]){ 0, 1 }, 2),
                    ==, XEN_PCI_ERR_success);
    g_assert_true(fake.last_func == e1000e);
    g_assert_cmpint(op(&x, e1000, XEN_PCI_OP_enable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_op_failed);
    g_assert_cmpint(edu->irq, ==, XPV_IRQ_MSI);
    g_assert_cmpint(e1000e->irq, ==, XPV_IRQ_MSIX);
    g_assert_cmpint(e1000->irq, ==, XPV_IRQ_NONE);
    g_assert_cmpint(e1000e->pirqs[1], ==, PIRQ_BASE + 2);
    g_assert_cmpuint(edu->stats.ops[XEN_PCI_OP_conf_read], ==, 1);
    g_assert_cmpuint(edu->stats.ops[XEN_PCI_OP_enable_msi], ==, 1);
    g_assert_cmpuint(e1000e->stats.ops[XEN_PCI_OP_enable_msix], ==, 1);
    g_assert_cmpuint(e1000->stats.errors[-XEN_PCI_ERR_op_failed], ==, 1);
    g_assert_cmpuint(e1000->stats.errors[0], ==, 1);
    fx_free(&x);
}

static void test_hot_add_remove(void)
{
    g_autoptr(GError) err = NULL;
    const XpvFunc *edu, *nic, *again;
    XpfDevice *edu_dev;
    Fx x;

    fx_init(&x, XPV_MODE_VPCI);
    edu = fx_add(&x, "edu", bdf(0, 3, 0, 0));
    nic = fx_add(&x, "e1000e", bdf(0, 5, 0, 0));
    edu_dev = edu->dev;
    g_assert_cmpint(op(&x, edu, XEN_PCI_OP_enable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpint(enable_msix(&x, nic, (const uint16_t[]){ 0 }, 1), ==,
                    XEN_PCI_ERR_success);

    /* Removal while MSI is on: undone through the hook first. */
    g_assert_true(xpv_remove_func(x.b, bdf(0, 3, 0, 0), &err));
    g_assert_no_error(err);
    g_assert_cmpuint(fake.disable_msi, ==, 1);
    g_assert_cmpint(fake.irq_at_disable, ==, XPV_IRQ_MSI);
    g_assert_false(xpf_interrupt_type(edu_dev) & XPF_INTR_MSI);
    g_assert_cmpint(op_at(&x, XEN_PCI_OP_conf_read, 0, 0, 0, 0, 4, 0), ==,
                    XEN_PCI_ERR_dev_not_found);
    g_assert_false(xpv_remove_func(x.b, bdf(0, 3, 0, 0), &err));
    g_assert_nonnull(strstr(err->message, "not exported"));
    g_clear_error(&err);
    g_assert_cmpuint(xpv_num_funcs(x.b), ==, 1);

    /* A new function takes the free slot; the other is untouched. */
    again = fx_add(&x, "e1000", bdf(0, 9, 0, 0));
    g_assert_cmpuint(again->guest.devfn, ==, DEVFN(0, 0));
    g_assert_cmpuint(conf_rd(&x, again, 2, 2), ==, 0x100e);
    g_assert_cmpint(nic->irq, ==, XPV_IRQ_MSIX);
    g_assert_cmpuint(fake.disable_msix, ==, 0);

    /* Removal while MSI-X is on. */
    g_assert_true(xpv_remove_func(x.b, bdf(0, 5, 0, 0), NULL));
    g_assert_cmpuint(fake.disable_msix, ==, 1);
    g_assert_cmpint(fake.irq_at_disable, ==, XPV_IRQ_MSIX);
    g_assert_cmpuint(xpv_num_funcs(x.b), ==, 1);
    fx_free(&x);
}

static void test_reset_and_free(void)
{
    const XpvFunc *edu, *nic;
    Fx x;

    fx_init(&x, XPV_MODE_PASSTHROUGH);
    edu = fx_add(&x, "edu", bdf(0, 3, 0, 0));
    nic = fx_add(&x, "e1000e", bdf(0, 5, 0, 0));
    g_assert_cmpint(op(&x, edu, XEN_PCI_OP_enable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpint(enable_msix(&x, nic, (const uint16_t[]){ 0 }, 1), ==,
                    XEN_PCI_ERR_success);
    xpv_reset(x.b);
    g_assert_cmpuint(fake.disable_msi, ==, 1);
    g_assert_cmpuint(fake.disable_msix, ==, 1);
    g_assert_cmpuint(xpv_num_funcs(x.b), ==, 2);
    g_assert_cmpint(edu->irq, ==, XPV_IRQ_NONE);
    xpv_reset(x.b);
    g_assert_cmpuint(fake.disable_msi + fake.disable_msix, ==, 2);
    /* Freeing the backend undoes what is still on. */
    g_assert_cmpint(op(&x, edu, XEN_PCI_OP_enable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_success);
    fx_free(&x);
    g_assert_cmpuint(fake.disable_msi, ==, 2);
}

/* ---- events ---- */

static void post_read(Fx *x, const XpvFunc *f)
{
    x->sh.op.cmd = XEN_PCI_OP_conf_read;
    x->sh.op.domain = f->guest.domain;
    x->sh.op.bus = f->guest.bus;
    x->sh.op.devfn = f->guest.devfn;
    x->sh.op.offset = 0;
    x->sh.op.size = 4;
    x->sh.flags |= XEN_PCIF_active;
}

static void test_event_one_op(void)
{
    struct xen_pci_sharedinfo before;
    const XpvFunc *f;
    XpvStats st;
    Fx x;

    fx_init(&x, XPV_MODE_VPCI);
    f = fx_add(&x, "edu", bdf(0, 3, 0, 0));
    g_assert_false(xpv_op_pending(&x.pg));
    post_read(&x, f);
    g_assert_true(xpv_op_pending(&x.pg));
    g_assert_cmpint(xpv_handle_event(x.b, &x.pg, 0), ==, XPV_EVENT_DONE);
    g_assert_cmpuint(x.sh.op.value, ==, 0x11e81234);
    g_assert_false(x.sh.flags & XEN_PCIF_active);
    g_assert_false(xpv_op_pending(&x.pg));
    /* No new op: spurious, and the page is left alone. */
    before = x.sh;
    g_assert_cmpint(xpv_handle_event(x.b, &x.pg, 0), ==, XPV_EVENT_SPURIOUS);
    g_assert_cmpint(xpv_handle_event(x.b, &x.pg, 1), ==, XPV_EVENT_SPURIOUS);
    g_assert_cmpmem(&before, sizeof(before), &x.sh, sizeof(x.sh));
    xpv_get_stats(x.b, &st);
    g_assert_cmpuint(st.events, ==, 3);
    g_assert_cmpuint(st.spurious, ==, 2);
    g_assert_cmpuint(st.ops, ==, 1);
    g_assert_cmpuint(st.throttled, ==, 0);
    fx_free(&x);
}

static void test_event_storm(void)
{
    static const XpvRateLimit rl = { .burst = 8, .per_sec = 1000 };
    const int64_t ms = 1000000;
    unsigned i, done = 0, throttled = 0, spurious = 0;
    const XpvFunc *f;
    XpvStats st;
    Fx x;

    fx_init(&x, XPV_MODE_VPCI);
    f = fx_add(&x, "edu", bdf(0, 3, 0, 0));
    xpv_set_rate_limit(x.b, &rl);
    g_assert_cmpint(xpv_event_delay_ns(x.b, 0), ==, 0);
    /* 10000 events at one instant, each with an op pending. */
    for (i = 0; i < 10000; i++) {
        post_read(&x, f);
        switch (xpv_handle_event(x.b, &x.pg, 5 * ms)) {
        case XPV_EVENT_DONE:
            done++;
            break;
        case XPV_EVENT_THROTTLED:
            throttled++;
            /* The op stays pending for later. */
            g_assert_true(x.sh.flags & XEN_PCIF_active);
            break;
        case XPV_EVENT_SPURIOUS:
            spurious++;
            break;
        }
    }
    g_assert_cmpuint(done, ==, 8);
    g_assert_cmpuint(throttled, ==, 9992);
    g_assert_cmpuint(spurious, ==, 0);
    g_assert_cmpint(xpv_event_delay_ns(x.b, 5 * ms), ==, ms);
    g_assert_cmpint(xpv_handle_event(x.b, &x.pg, 5 * ms + ms / 2), ==,
                    XPV_EVENT_THROTTLED);
    g_assert_cmpint(xpv_event_delay_ns(x.b, 5 * ms + ms / 2), ==, ms / 2);
    /* Time going backwards earns nothing. */
    g_assert_cmpint(xpv_handle_event(x.b, &x.pg, 0), ==,
                    XPV_EVENT_THROTTLED);
    g_assert_cmpint(xpv_handle_event(x.b, &x.pg, 6 * ms), ==,
                    XPV_EVENT_DONE);
    /* Spurious events cost the same: a storm of them is bounded too. */
    for (i = 0, done = 0, spurious = 0; i < 1000; i++) {
        XpvEventResult r = xpv_handle_event(x.b, &x.pg, 60 * 1000 * ms);

        spurious += r == XPV_EVENT_SPURIOUS;
        done += r == XPV_EVENT_DONE;
    }
    g_assert_cmpuint(done, ==, 0);
    g_assert_cmpuint(spurious, ==, 8);
    xpv_get_stats(x.b, &st);
    g_assert_cmpuint(st.events, ==, 10000 + 3 + 1000);
    g_assert_cmpuint(st.throttled, ==, 9992 + 2 + 992);
    g_assert_cmpuint(st.ops, ==, 9);
    g_assert_cmpuint(st.spurious, ==, 8);

    /* A zero burst would stall the frontend for good: one at least. */
    xpv_set_rate_limit(x.b, &(XpvRateLimit) { .burst = 0, .per_sec = 10 });
    post_read(&x, f);
    g_assert_cmpint(xpv_handle_event(x.b, &x.pg, 0), ==, XPV_EVENT_DONE);
    post_read(&x, f);
    g_assert_cmpint(xpv_handle_event(x.b, &x.pg, 0), ==,
                    XPV_EVENT_THROTTLED);
    g_assert_cmpint(xpv_event_delay_ns(x.b, 0), ==, 100 * ms);
    fx_free(&x);
}

/* ---- AER ---- */

/* The frontend answers the posted AER op with @result; returns its cmd. */
static uint32_t frontend_answer(Fx *x, int32_t result)
{
    g_assert_true(x->sh.flags & XEN_PCIB_active);
    x->sh.aer_op.err = result;
    x->sh.flags &= ~XEN_PCIB_active;
    return x->sh.aer_op.cmd;
}

static void test_aer_single_op(void)
{
    const XpvFunc *f;
    XpvStats st;
    int32_t r = 0;
    Fx x;

    fx_init(&x, XPV_MODE_VPCI);
    fx_add(&x, "edu", bdf(0, 3, 0, 0));
    f = fx_add(&x, "e1000e", bdf(0, 7, 0, 2));
    x.sh.flags = XEN_PCIB_AERHANDLER;
    g_assert_cmpint(xpv_aer_poll(x.b, &x.pg, &r), ==, XPV_AER_IDLE);
    g_assert_cmpint(xpv_aer_begin(x.b, &x.pg, f, XEN_PCI_OP_aer_detected,
                                  XPV_CHANNEL_FROZEN), ==, XPV_AER_PENDING);
    g_assert_cmpuint(x.sh.flags, ==, XEN_PCIB_AERHANDLER | XEN_PCIB_active);
    g_assert_cmpuint(x.sh.aer_op.cmd, ==, XEN_PCI_OP_aer_detected);
    g_assert_cmpint(x.sh.aer_op.err, ==, XPV_CHANNEL_FROZEN);
    /* The frontend's BDF, not the host's. */
    g_assert_cmpuint(x.sh.aer_op.domain, ==, 0);
    g_assert_cmpuint(x.sh.aer_op.bus, ==, 0);
    g_assert_cmpuint(x.sh.aer_op.devfn, ==, DEVFN(1, 2));
    g_assert_cmpint(xpv_aer_poll(x.b, &x.pg, &r), ==, XPV_AER_PENDING);
    g_assert_cmpint(xpv_aer_begin(x.b, &x.pg, f, XEN_PCI_OP_aer_mmio, 1), ==,
                    XPV_AER_BUSY);
    /* pcifront's ops keep working meanwhile. */
    g_assert_cmpuint(conf_rd(&x, f, 0, 2), ==, 0x8086);
    g_assert_true(x.sh.flags & XEN_PCIB_active);
    g_assert_cmpuint(frontend_answer(&x, XPV_ERS_NEED_RESET), ==,
                     XEN_PCI_OP_aer_detected);
    g_assert_cmpint(xpv_aer_poll(x.b, &x.pg, &r), ==, XPV_AER_DONE);
    g_assert_cmpint(r, ==, XPV_ERS_NEED_RESET);
    g_assert_cmpint(xpv_aer_poll(x.b, &x.pg, &r), ==, XPV_AER_IDLE);

    /* Not AER ops, not our functions. */
    g_assert_cmpint(xpv_aer_begin(x.b, &x.pg, f, XEN_PCI_OP_conf_read, 1),
                    ==, XPV_AER_INVALID);
    g_assert_cmpint(xpv_aer_begin(x.b, &x.pg, NULL, XEN_PCI_OP_aer_mmio, 1),
                    ==, XPV_AER_INVALID);
    g_assert_cmpint(xpv_aer_begin(x.b, &x.pg, &(XpvFunc){ 0 },
                                  XEN_PCI_OP_aer_mmio, 1), ==,
                    XPV_AER_INVALID);

    /* The frontend never answers: withdrawn with pciback's default. */
    g_assert_cmpint(xpv_aer_begin(x.b, &x.pg, f, XEN_PCI_OP_aer_detected, 2),
                    ==, XPV_AER_PENDING);
    g_assert_cmpint(xpv_aer_timeout(x.b, &x.pg), ==, XPV_ERS_CAN_RECOVER);
    g_assert_false(x.sh.flags & XEN_PCIB_active);
    g_assert_cmpint(x.sh.aer_op.err, ==, XPV_ERS_NONE);
    g_assert_cmpint(xpv_aer_begin(x.b, &x.pg, f, XEN_PCI_OP_aer_slotreset,
                                  1), ==, XPV_AER_PENDING);
    g_assert_cmpint(xpv_aer_timeout(x.b, &x.pg), ==, XPV_ERS_RECOVERED);
    g_assert_cmpint(xpv_aer_timeout(x.b, &x.pg), ==, XPV_ERS_NONE);
    xpv_get_stats(x.b, &st);
    g_assert_cmpuint(st.aer_ops, ==, 3);
    g_assert_cmpuint(st.aer_timeouts, ==, 2);
    fx_free(&x);
}

static void test_aer_no_handler(void)
{
    struct xen_pci_sharedinfo before;
    const XpvFunc *f;
    int32_t r;
    Fx x;

    fx_init(&x, XPV_MODE_VPCI);
    f = fx_add(&x, "e1000e", bdf(0, 7, 0, 0));
    memset(&x.sh, 0x5a, sizeof(x.sh));
    x.sh.flags = 0;
    before = x.sh;
    g_assert_cmpint(xpv_aer_begin(x.b, &x.pg, f, XEN_PCI_OP_aer_detected, 2),
                    ==, XPV_AER_NO_HANDLER);
    g_assert_cmpint(xpv_aer_inject(x.b, &x.pg, f->host, 2), ==,
                    XPV_AER_SEQ_NO_HANDLER);
    g_assert_cmpmem(&before, sizeof(before), &x.sh, sizeof(x.sh));
    g_assert_cmpint(xpv_aer_poll(x.b, &x.pg, &r), ==, XPV_AER_IDLE);
    g_assert_cmpint(xpv_aer_recover_poll(x.b, &x.pg, false), ==,
                    XPV_AER_SEQ_IDLE);
    fx_free(&x);
}

static void test_aer_sequence(void)
{
    uint32_t cmds[4];
    const XpvFunc *f;
    Fx x;

    fx_init(&x, XPV_MODE_VPCI);
    f = fx_add(&x, "e1000e", bdf(0, 7, 0, 0));
    x.sh.flags = XEN_PCIB_AERHANDLER;
    g_assert_cmpint(xpv_aer_inject(x.b, &x.pg, bdf(0, 8, 0, 0), 2), ==,
                    XPV_AER_SEQ_INVALID);
    g_assert_cmpint(xpv_aer_inject(x.b, &x.pg, f->host, XPV_CHANNEL_FROZEN),
                    ==, XPV_AER_SEQ_RUNNING);
    g_assert_cmpint(x.sh.aer_op.err, ==, XPV_CHANNEL_FROZEN);
    g_assert_cmpint(xpv_aer_recover_poll(x.b, &x.pg, false), ==,
                    XPV_AER_SEQ_RUNNING);
    g_assert_cmpint(xpv_aer_inject(x.b, &x.pg, f->host, 2), ==,
                    XPV_AER_SEQ_INVALID);
    cmds[0] = frontend_answer(&x, XPV_ERS_CAN_RECOVER);
    g_assert_cmpint(xpv_aer_recover_poll(x.b, &x.pg, false), ==,
                    XPV_AER_SEQ_RUNNING);
    g_assert_cmpint(x.sh.aer_op.err, ==, XPV_CHANNEL_NORMAL);
    cmds[1] = frontend_answer(&x, XPV_ERS_NEED_RESET);
    g_assert_cmpint(xpv_aer_recover_poll(x.b, &x.pg, false), ==,
                    XPV_AER_SEQ_RUNNING);
    cmds[2] = frontend_answer(&x, XPV_ERS_RECOVERED);
    g_assert_cmpint(xpv_aer_recover_poll(x.b, &x.pg, false), ==,
                    XPV_AER_SEQ_RUNNING);
    cmds[3] = frontend_answer(&x, XPV_ERS_NONE);   /* ignored for resume */
    g_assert_cmpint(xpv_aer_recover_poll(x.b, &x.pg, false), ==,
                    XPV_AER_SEQ_RECOVERED);
    g_assert_cmpuint(cmds[0], ==, XEN_PCI_OP_aer_detected);
    g_assert_cmpuint(cmds[1], ==, XEN_PCI_OP_aer_mmio);
    g_assert_cmpuint(cmds[2], ==, XEN_PCI_OP_aer_slotreset);
    g_assert_cmpuint(cmds[3], ==, XEN_PCI_OP_aer_resume);
    g_assert_cmpint(xpv_aer_recover_poll(x.b, &x.pg, false), ==,
                    XPV_AER_SEQ_IDLE);

    /* Recovered at once: straight to resume. */
    g_assert_cmpint(xpv_aer_recover(x.b, &x.pg, f, 1), ==,
                    XPV_AER_SEQ_RUNNING);
    frontend_answer(&x, XPV_ERS_RECOVERED);
    g_assert_cmpint(xpv_aer_recover_poll(x.b, &x.pg, false), ==,
                    XPV_AER_SEQ_RUNNING);
    g_assert_cmpuint(frontend_answer(&x, 0), ==, XEN_PCI_OP_aer_resume);
    g_assert_cmpint(xpv_aer_recover_poll(x.b, &x.pg, false), ==,
                    XPV_AER_SEQ_RECOVERED);

    /* A silent frontend: pciback's default answer carries on. */
    g_assert_cmpint(xpv_aer_recover(x.b, &x.pg, f, 2), ==,
                    XPV_AER_SEQ_RUNNING);
    g_assert_cmpint(xpv_aer_recover_poll(x.b, &x.pg, true), ==,
                    XPV_AER_SEQ_RUNNING);
    g_assert_cmpuint(frontend_answer(&x, XPV_ERS_RECOVERED), ==,
                     XEN_PCI_OP_aer_mmio);
    g_assert_cmpint(xpv_aer_recover_poll(x.b, &x.pg, false), ==,
                    XPV_AER_SEQ_RUNNING);
    g_assert_cmpint(xpv_aer_recover_poll(x.b, &x.pg, true), ==,
                    XPV_AER_SEQ_RECOVERED);
    fx_free(&x);
}

/* A frontend that goes away mid-sequence ends it: a new one can start. */
static void test_aer_reset(void)
{
    const XpvFunc *f;
    Fx x;

    fx_init(&x, XPV_MODE_VPCI);
    f = fx_add(&x, "e1000e", bdf(0, 7, 0, 0));
    x.sh.flags = XEN_PCIB_AERHANDLER;
    g_assert_cmpint(xpv_aer_recover(x.b, &x.pg, f, 2), ==,
                    XPV_AER_SEQ_RUNNING);
    g_assert_cmpint(xpv_aer_recover(x.b, &x.pg, f, 2), ==,
                    XPV_AER_SEQ_INVALID);
    xpv_reset(x.b);
    g_assert_cmpint(xpv_aer_recover_poll(x.b, &x.pg, false), ==,
                    XPV_AER_SEQ_IDLE);
    x.sh.flags = XEN_PCIB_AERHANDLER;        /* the next frontend's page */
    g_assert_cmpint(xpv_aer_recover(x.b, &x.pg, f, 2), ==,
                    XPV_AER_SEQ_RUNNING);
    g_assert_cmpuint(frontend_answer(&x, XPV_ERS_RECOVERED), ==,
                     XEN_PCI_OP_aer_detected);
    g_assert_cmpint(xpv_aer_recover_poll(x.b, &x.pg, false), ==,
                    XPV_AER_SEQ_RUNNING);
    fx_free(&x);
}

static void test_aer_sequence_failed(void)
{
    static const int32_t fatal[] = {
        XPV_ERS_NONE, XPV_ERS_DISCONNECT, 0, 77, -1,
    };
    const XpvFunc *f;
    unsigned i;
    Fx x;

    fx_init(&x, XPV_MODE_PASSTHROUGH);
    f = fx_add(&x, "e1000e", bdf(0, 7, 0, 0));
    x.sh.flags = XEN_PCIB_AERHANDLER;
    for (i = 0; i < G_N_ELEMENTS(fatal); i++) {
        g_assert_cmpint(xpv_aer_recover(x.b, &x.pg, f, 2), ==,
                        XPV_AER_SEQ_RUNNING);
        frontend_answer(&x, fatal[i]);
        g_assert_cmpint(xpv_aer_recover_poll(x.b, &x.pg, false), ==,
                        XPV_AER_SEQ_FAILED);
        g_assert_false(x.sh.flags & XEN_PCIB_active);
    }
    /* A reset that does not help. */
    g_assert_cmpint(xpv_aer_recover(x.b, &x.pg, f, 2), ==,
                    XPV_AER_SEQ_RUNNING);
    frontend_answer(&x, XPV_ERS_NEED_RESET);
    g_assert_cmpint(xpv_aer_recover_poll(x.b, &x.pg, false), ==,
                    XPV_AER_SEQ_RUNNING);
    g_assert_cmpuint(frontend_answer(&x, XPV_ERS_NEED_RESET), ==,
                     XEN_PCI_OP_aer_slotreset);
    g_assert_cmpint(xpv_aer_recover_poll(x.b, &x.pg, false), ==,
                    XPV_AER_SEQ_FAILED);
    /* The frontend drops its handler halfway. */
    g_assert_cmpint(xpv_aer_recover(x.b, &x.pg, f, 2), ==,
                    XPV_AER_SEQ_RUNNING);
    frontend_answer(&x, XPV_ERS_CAN_RECOVER);
    x.sh.flags &= ~XEN_PCIB_AERHANDLER;
    g_assert_cmpint(xpv_aer_recover_poll(x.b, &x.pg, false), ==,
                    XPV_AER_SEQ_NO_HANDLER);
    g_assert_false(x.sh.flags & XEN_PCIB_active);
    /* The function is hot removed halfway. */
    x.sh.flags = XEN_PCIB_AERHANDLER;
    g_assert_cmpint(xpv_aer_recover(x.b, &x.pg, f, 2), ==,
                    XPV_AER_SEQ_RUNNING);
    g_assert_true(xpv_remove_func(x.b, bdf(0, 7, 0, 0), NULL));
    frontend_answer(&x, XPV_ERS_CAN_RECOVER);
    g_assert_cmpint(xpv_aer_recover_poll(x.b, &x.pg, false), ==,
                    XPV_AER_SEQ_FAILED);
    fx_free(&x);
}

/* ---- xenstore values ---- */

static void test_format(void)
{
    char vdev[XPV_VDEV_STRLEN], root[XPV_ROOT_STRLEN], key[XPV_KEY_STRLEN];
    char st[4];

    xpv_format_vdev(vdev, bdf(0, 0, 3, 1));
    g_assert_cmpstr(vdev, ==, "0000:00:03.1");
    xpv_format_vdev(vdev, (XpvBdf) { 0xffff, 0xff, 0xff });
    g_assert_cmpstr(vdev, ==, "ffff:ff:1f.7");
    xpv_format_root(root, (XpvBus) { 0x10, 0xab });
    g_assert_cmpstr(root, ==, "0010:ab");
    g_assert_true(xpv_format_key(key, "root", 0));
    g_assert_cmpstr(key, ==, "root-0");
    g_assert_true(xpv_format_key(key, "vdev", 31));
    g_assert_cmpstr(key, ==, "vdev-31");
    g_assert_false(xpv_format_key(key, "a-prefix-much-too-long-for-a-key", 1));
    g_assert_true(xpv_format_state(st, 4));
    g_assert_cmpstr(st, ==, "4");
    g_assert_true(xpv_format_state(st, 8));
    g_assert_cmpstr(st, ==, "8");
    g_assert_false(xpv_format_state(st, 9));
    g_assert_cmpstr(st, ==, "");
}

/* ---- interrupt types: what the host really has ---- */

/*
 * After enable_msi the guest clears the virtual MSI enable bit by config
 * write: MSI stays on in the host, so the one-type rule still refuses INTx
 * (clearing Interrupt Disable) and MSI-X, as pciback, which checks the
 * function's real state.
 */
static void test_intr_rule_host_state(void)
{
    const XpvFunc *f;
    XpfMsiState msi;
    XpfMsixState msix;
    uint32_t cmd;
    Fx x;

    fx_init(&x, XPV_MODE_VPCI);
    f = fx_add_host(&x, load("e1000e"), bdf(0, 1, 0, 0), true, false);
    xpf_msi_state(f->dev, &msi);
    xpf_msix_state(f->dev, &msix);
    g_assert_true(msi.present && msix.present);
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_enable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_success);
    /* Linux's order: INTx off once MSI is on. */
    cmd = conf_rd(&x, f, 0x04, 2);
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_conf_write, 0x04, 2,
                       cmd | 0x0400), ==, XEN_PCI_ERR_success);
    /* The guest clears the virtual MSI enable bit. */
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_conf_write, msi.cap + 2, 2,
                       conf_rd(&x, f, msi.cap + 2, 2) & ~1u), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpint(f->irq, ==, XPV_IRQ_MSI);
    g_assert_cmpuint(xpf_interrupt_type(f->dev), ==, XPF_INTR_MSI);
    /* INTx back on is refused; Interrupt Disable stays set. */
    test_host_clear_log(fx_host(f));
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_conf_write, 0x04, 2,
                       cmd & ~0x0400u), ==, XEN_PCI_ERR_access_denied);
    g_assert_cmphex(conf_rd(&x, f, 0x04, 2) & 0x0400, ==, 0x0400);
    g_assert_cmpuint(test_host_writes(fx_host(f)), ==, 0);
    /* MSI-X, by op or by config write, is refused too. */
    g_assert_cmpint(enable_msix(&x, f, (const uint16_t[]){ 0 }, 1), ==,
                    XEN_PCI_ERR_op_failed);
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_conf_write, msix.cap + 2, 2,
                       0x8000), ==, XEN_PCI_ERR_access_denied);
    g_assert_cmpuint(fake.enable_msix, ==, 0);
    /* Once the backend disabled MSI in the host, INTx may come back. */
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_disable_msi, 0, 0, 0), ==,
                    XEN_PCI_ERR_success);
    g_assert_cmpint(op(&x, f, XEN_PCI_OP_conf_write, 0x04, 2,
                       cmd & ~0x0400u), ==, XEN_PCI_ERR_success);
    g_assert_cmpuint(xpf_interrupt_type(f->dev), ==, XPF_INTR_INTX);
    fx_free(&x);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xpv/bdf/vpci-renumber", test_vpci_renumber);
    g_test_add_func("/xpv/bdf/vpci-multifunction", test_vpci_multifunction);
    g_test_add_func("/xpv/bdf/vpci-table-full", test_vpci_table_full);
    g_test_add_func("/xpv/bdf/passthrough-roots", test_passthrough_roots);
    g_test_add_func("/xpv/op/conf-read-write", test_conf_read_write);
    g_test_add_func("/xpv/op/answered-hook", test_answered_hook);
    g_test_add_func("/xpv/op/conf-errors", test_conf_errors);
    g_test_add_func("/xpv/op/dev-not-found", test_dev_not_found);
    g_test_add_func("/xpv/op/not-implemented", test_not_implemented);
    g_test_add_func("/xpv/op/page-completion", test_page_completion);
    g_test_add_func("/xpv/msi/enable-disable", test_enable_msi);
    g_test_add_func("/xpv/msi/errors", test_enable_msi_errors);
    g_test_add_func("/xpv/msi/multi", test_multi_msi);
    g_test_add_func("/xpv/msix/enable-disable", test_enable_msix);
    g_test_add_func("/xpv/msix/errors", test_enable_msix_errors);
    g_test_add_func("/xpv/xsa155/op-double-fetch",
                    test_xsa155_op_double_fetch);
    g_test_add_func("/xpv/xsa155/msix-count", test_xsa155_msix_count);
    g_test_add_func("/xpv/xsa157/already-enabled",
                    test_xsa157_already_enabled);
    g_test_add_func("/xpv/xsa157/other-type-in-engine",
                    test_xsa157_other_type_in_engine);
    g_test_add_func("/xpv/xsa157/disable-not-enabled",
                    test_xsa157_disable_not_enabled);
    g_test_add_func("/xpv/funcs/multi-function-routing",
                    test_multi_function_routing);
    g_test_add_func("/xpv/funcs/hot-add-remove", test_hot_add_remove);
    g_test_add_func("/xpv/funcs/reset-and-free", test_reset_and_free);
    g_test_add_func("/xpv/event/one-op", test_event_one_op);
    g_test_add_func("/xpv/event/storm", test_event_storm);
    g_test_add_func("/xpv/aer/single-op", test_aer_single_op);
    g_test_add_func("/xpv/aer/no-handler", test_aer_no_handler);
    g_test_add_func("/xpv/aer/sequence", test_aer_sequence);
    g_test_add_func("/xpv/aer/sequence-failed", test_aer_sequence_failed);
    g_test_add_func("/xpv/aer/reset", test_aer_reset);
    g_test_add_func("/xpv/format", test_format);
    g_test_add_func("/xpv/xsa157/intr-rule-host-state",
                    test_intr_rule_host_state);
    return g_test_run();
}
