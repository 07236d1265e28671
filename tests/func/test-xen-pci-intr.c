/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A function's interrupts through Xen (xen-pci-intr), on the e1000e
 * fixture (MSI at 0xd0, MSI-X at 0xa0 with 5 entries in BAR 3), through
 * the recording hypercall ops: the hypercalls each action makes, and for
 * every hypercall and host step that can fail, that the failure leaves
 * nothing behind (unbound, unmapped, off in the host), the engine's
 * host-interrupt state and the guest's view off, and an error naming the
 * step.  Expected hypercall sequences are Xen's interface: a device
 * model's MSI map (MAP_PIRQ_TYPE_MSI, no table) gets one pirq and one host
 * vector whatever entry count it passes (allocate_and_map_msi_pirq sets it
 * to 1), so more than one MSI vector is refused before any hypercall.
 */
#include <string.h>
#include "xen-pci-intr.h"
#include "xpf-test-host.h"

#define MSI_CAP     0xd0
#define MSIX_CAP    0xa0
#define GSI         11

typedef struct Fx {
    TestHost *h;
    XpfDevice *d;
    XenPciHv hv;
    XenPciIntr in;
    GString *host;       /* the host control writes: "msi N", "msix E M" */
    bool host_fails;
    unsigned undo_failed;
} Fx;

static bool fx_host_msi(void *opaque, unsigned nvec)
{
    Fx *x = opaque;

    g_string_append_printf(x->host, "msi %u%s\n", nvec,
                           x->host_fails ? " = fail" : "");
    return !x->host_fails;
}

static bool fx_host_msix(void *opaque, bool enabled, bool masked)
{
    Fx *x = opaque;

    g_string_append_printf(x->host, "msix %d %d%s\n", enabled, masked,
                           x->host_fails ? " = fail" : "");
    return !x->host_fails;
}

static void fx_undo_failed(void *opaque, const char *what)
{
    ((Fx *)opaque)->undo_failed++;
}

static const XenPciIntrHostOps fx_host_ops = {
    .msi = fx_host_msi, .msix = fx_host_msix,
    .undo_failed = fx_undo_failed,
};

/* @mmc: the MSI Multiple Message Capable field (log2 of the vectors). */
static void fx_init(Fx *x, unsigned mmc)
{
    g_autoptr(GError) err = NULL;
    XpfConfig c;
    XenPciIntrConfig ic;

    memset(x, 0, sizeof(*x));
    x->h = test_host_load("e1000e", &err);
    g_assert_no_error(err);
    test_host_set(x->h, MSI_CAP + 2, 2,
                  (test_host_get(x->h, MSI_CAP + 2, 2) & ~0xe) | mmc << 1);
    c = test_host_config(x->h, false, true);
    x->d = xpf_device_new(&c, &err);
    g_assert_no_error(err);
    xen_pci_hv_init_recording(&x->hv);
    x->hv.domid = 3;
    x->host = g_string_new(NULL);
    ic = (XenPciIntrConfig) {
        .hv = &x->hv, .xpf = x->d, .host = &fx_host_ops, .opaque = x,
        .bus = 0, .devfn = 0x28,
        .msix_table = 0xfebf0000, .gsi = GSI,
    };
    xen_pci_intr_init(&x->in, &ic);
}

static void fx_free(Fx *x)
{
    xen_pci_intr_cleanup(&x->in);
    xen_pci_hv_cleanup(&x->hv);
    xpf_device_free(x->d);
    test_host_free(x->h);
    g_string_free(x->host, true);
}

/* The hypercalls since the last call, and the host writes, then forget. */
static void fx_expect(Fx *x, const char *hv, const char *host)
{
    g_assert_cmpstr(x->hv.log->str, ==, hv);
    g_assert_cmpstr(x->host->str, ==, host);
    g_string_truncate(x->hv.log, 0);
    g_string_truncate(x->host, 0);
}

static uint32_t guest_read(Fx *x, unsigned off, unsigned size)
{
    uint32_t v = 0;

    g_assert_cmpint(xpf_read(x->d, off, size, &v), ==, XPF_OK);
    return v;
}

static void guest_write(Fx *x, unsigned off, unsigned size, uint32_t v)
{
    g_assert_cmpint(xpf_write(x->d, off, size, v), ==, XPF_OK);
}

/* The guest programs MSI (64-bit capability) and enables @nvec vectors. */
static void guest_msi(Fx *x, uint64_t addr, uint16_t data, unsigned nvec)
{
    guest_write(x, MSI_CAP + 4, 4, (uint32_t)addr);
    guest_write(x, MSI_CAP + 8, 4, addr >> 32);
    guest_write(x, MSI_CAP + 12, 2, data);
    guest_write(x, MSI_CAP + 2, 2,
                nvec ? 1 | (g_bit_nth_lsf(nvec, -1) << 4) : 0);
}

static void assert_nothing_left(Fx *x)
{
    unsigned i;

    g_assert_cmpint(x->in.intx_pirq, ==, -1);
    g_assert_false(x->in.intx_bound);
    g_assert_cmpuint(x->in.msi_nvec, ==, 0);
    for (i = 0; i < XEN_PCI_MSI_MAX_VEC; i++) {
        g_assert_cmpint(x->in.msi[i].pirq, ==, -1);
        g_assert_false(x->in.msi[i].bound);
    }
    for (i = 0; i < x->in.msix_size; i++) {
        g_assert_cmpint(x->in.msix[i].pirq, ==, -1);
        g_assert_false(x->in.msix[i].bound);
    }
    g_assert_cmpuint(xpf_host_interrupts(x->d), ==, XPF_INTR_NONE);
}

/* ---- INTx ---- */

static void test_intx(void)
{
    Fx x;
    g_autoptr(GError) err = NULL;

    fx_init(&x, 0);
    g_assert_true(xen_pci_intr_intx_bind(&x.in, 0, 5, 0, &err));
    g_assert_no_error(err);
    fx_expect(&x, "map_pirq_gsi gsi=11 pirq=100\n"
              "bind_intx pirq=100 bus=0 dev=5 intx=0\n", "");
    g_assert_cmpint(x.in.intx_pirq, ==, 100);
    xen_pci_intr_intx_unbind(&x.in);
    fx_expect(&x, "unbind_intx pirq=100 bus=0 dev=5 intx=0\n"
              "unmap_pirq pirq=100\n", "");
    assert_nothing_left(&x);
    fx_free(&x);
}

static void test_intx_map_fails(void)
{
    Fx x;
    g_autoptr(GError) err = NULL;

    fx_init(&x, 0);
    x.hv.fail_mask = 1ull << XEN_PCI_HV_MAP_PIRQ_GSI;
    g_assert_false(xen_pci_intr_intx_bind(&x.in, 0, 5, 0, &err));
    g_assert_error(err, XEN_PCI_INTR_ERROR, 0);
    g_assert_nonnull(strstr(err->message, "mapping its GSI 11"));
    fx_expect(&x, "map_pirq_gsi gsi=11 pirq=100 = -1\n", "");
    assert_nothing_left(&x);
    fx_free(&x);
}

static void test_intx_bind_fails(void)
{
    Fx x;
    g_autoptr(GError) err = NULL;

    fx_init(&x, 0);
    x.hv.fail_mask = 1ull << XEN_PCI_HV_BIND_INTX;
    g_assert_false(xen_pci_intr_intx_bind(&x.in, 0, 5, 1, &err));
    g_assert_nonnull(strstr(err->message, "INTB"));
    fx_expect(&x, "map_pirq_gsi gsi=11 pirq=100\n"
              "bind_intx pirq=100 bus=0 dev=5 intx=1 = -1\n"
              "unmap_pirq pirq=100\n", "");
    assert_nothing_left(&x);
    /* nothing left to undo */
    xen_pci_intr_intx_unbind(&x.in);
    fx_expect(&x, "", "");
    fx_free(&x);
}

static void test_intx_unmap_fails(void)
{
    Fx x;

    fx_init(&x, 0);
    g_assert_true(xen_pci_intr_intx_bind(&x.in, 0, 5, 0, NULL));
    fx_expect(&x, "map_pirq_gsi gsi=11 pirq=100\n"
              "bind_intx pirq=100 bus=0 dev=5 intx=0\n", "");
    x.hv.fail_mask = 1ull << XEN_PCI_HV_UNBIND_INTX |
                     1ull << XEN_PCI_HV_UNMAP_PIRQ;
    xen_pci_intr_intx_unbind(&x.in);
    fx_expect(&x, "unbind_intx pirq=100 bus=0 dev=5 intx=0 = -1\n"
              "unmap_pirq pirq=100 = -1\n", "");
    g_assert_cmpuint(x.undo_failed, ==, 2);
    assert_nothing_left(&x);
    fx_free(&x);
}

/* ---- MSI for a PV guest ---- */

/* One vector: one map, the host's MSI on, one unmap. */
static void test_pv_msi(void)
{
    Fx x;
    int pirq;

    fx_init(&x, 0);
    g_assert_true(xen_pci_intr_msi_enable(&x.in, 1, &pirq, NULL));
    g_assert_cmpint(pirq, ==, 100);
    fx_expect(&x, "map_pirq_msi bus=0 devfn=0x28 entry=1 table=0x0 "
              "pirq=100\n", "msi 1\n");
    g_assert_cmpuint(xpf_host_interrupts(x.d), ==, XPF_INTR_MSI);
    xen_pci_intr_msi_disable(&x.in);
    fx_expect(&x, "unmap_pirq pirq=100\n", "msi 0\n");
    assert_nothing_left(&x);
    fx_free(&x);
}

/*
 * Four vectors of a function capable of eight: refused before any
 * hypercall (Xen would map one and the function would signal four), the
 * host's MSI untouched, nothing left.
 */
static void test_pv_multi_msi(void)
{
    Fx x;
    g_autoptr(GError) err = NULL;
    int pirq;

    fx_init(&x, 3);
    g_assert_false(xen_pci_intr_msi_enable(&x.in, 4, &pirq, &err));
    g_assert_nonnull(strstr(err->message, "4 MSI vectors"));
    g_assert_cmpint(pirq, ==, -1);
    fx_expect(&x, "", "");
    assert_nothing_left(&x);
    g_assert_cmpuint(guest_read(&x, MSI_CAP + 2, 2) & 1, ==, 0);
    fx_free(&x);
}

static void test_pv_msi_map_fails(void)
{
    Fx x;
    g_autoptr(GError) err = NULL;
    int pirq;

    fx_init(&x, 0);
    x.hv.fail_mask = 1ull << XEN_PCI_HV_MAP_PIRQ_MSI;
    g_assert_false(xen_pci_intr_msi_enable(&x.in, 1, &pirq, &err));
    g_assert_nonnull(strstr(err->message, "mapping 1 MSI"));
    g_assert_cmpint(pirq, ==, -1);
    fx_expect(&x, "map_pirq_msi bus=0 devfn=0x28 entry=1 table=0x0 "
              "pirq=100 = -1\n", "");
    assert_nothing_left(&x);
    g_assert_cmpuint(guest_read(&x, MSI_CAP + 2, 2) & 1, ==, 0);
    fx_free(&x);
}

static void test_pv_msi_host_fails(void)
{
    Fx x;
    g_autoptr(GError) err = NULL;
    int pirq;

    fx_init(&x, 0);
    x.host_fails = true;
    g_assert_false(xen_pci_intr_msi_enable(&x.in, 1, &pirq, &err));
    g_assert_nonnull(strstr(err->message, "enabling MSI"));
    fx_expect(&x, "map_pirq_msi bus=0 devfn=0x28 entry=1 table=0x0 "
              "pirq=100\nunmap_pirq pirq=100\n", "msi 1 = fail\n");
    assert_nothing_left(&x);
    fx_free(&x);
}

static void test_pv_msi_bad_count(void)
{
    Fx x;
    g_autoptr(GError) err = NULL;
    int pirq;

    fx_init(&x, 0);
    g_assert_false(xen_pci_intr_msi_enable(&x.in, 3, &pirq, &err));
    g_assert_nonnull(err);
    fx_expect(&x, "", "");
    assert_nothing_left(&x);
    fx_free(&x);
}

/* ---- MSI for an HVM guest ---- */

/*
 * An engine offering eight messages (no msi_single) and a guest enabling
 * four: refused before any hypercall, off in the guest's view.
 */
static void test_hvm_multi_msi(void)
{
    Fx x;
    g_autoptr(GError) err = NULL;

    fx_init(&x, 3);
    guest_msi(&x, 0xfee01000, 0x4040, 4);
    g_assert_false(xen_pci_intr_msi_sync(&x.in, &err));
    g_assert_nonnull(strstr(err->message, "4 MSI vectors"));
    fx_expect(&x, "", "");
    assert_nothing_left(&x);
    g_assert_cmpuint(guest_read(&x, MSI_CAP + 2, 2) & 1, ==, 0);
    fx_free(&x);
}

static void test_hvm_msi(void)
{
    Fx x;

    fx_init(&x, 0);
    guest_msi(&x, 0xfee01000, 0x4031, 1);
    g_assert_true(xen_pci_intr_msi_sync(&x.in, NULL));
    fx_expect(&x, "map_pirq_msi bus=0 devfn=0x28 entry=1 table=0x0 "
              "pirq=100\n"
              "bind_msi gvec=0x31 pirq=100 gflags=0x10001 gtable=0x0\n",
              "msi 1\n");
    g_assert_cmpuint(xpf_host_interrupts(x.d), ==, XPF_INTR_MSI);
    /* a new vector: bound again in place, nothing else */
    guest_write(&x, MSI_CAP + 12, 2, 0x4041);
    g_assert_true(xen_pci_intr_msi_sync(&x.in, NULL));
    fx_expect(&x, "bind_msi gvec=0x41 pirq=100 gflags=0x10001 "
              "gtable=0x0\n", "");
    /* the same again: nothing */
    g_assert_true(xen_pci_intr_msi_sync(&x.in, NULL));
    fx_expect(&x, "", "");
    guest_write(&x, MSI_CAP + 2, 2, 0);
    g_assert_true(xen_pci_intr_msi_sync(&x.in, NULL));
    fx_expect(&x, "unbind_msi gvec=0x41 pirq=100 gflags=0x10001\n"
              "unmap_pirq pirq=100\n", "msi 0\n");
    assert_nothing_left(&x);
    fx_free(&x);
}

/* A Linux PVHVM guest names its pirq (0x123) in the message. */
static void test_hvm_msi_guest_pirq(void)
{
    Fx x;

    fx_init(&x, 0);
    guest_msi(&x, 0xfee23000 | (1ull << 40), 0, 1);
    g_assert_true(xen_pci_intr_msi_sync(&x.in, NULL));
    fx_expect(&x, "map_pirq_msi bus=0 devfn=0x28 entry=1 table=0x0 "
              "pirq=291\n"
              "bind_msi gvec=0x0 pirq=291 gflags=0x10023 gtable=0x0\n",
              "msi 1\n");
    fx_free(&x);
}

/* Each failing step: all undone, MSI Enable clear in the guest's view. */
static void test_hvm_msi_fails(void)
{
    static const struct {
        uint64_t fail;
        bool host_fails;
        const char *hv, *host, *error;
    } cases[] = {
        { 1ull << XEN_PCI_HV_MAP_PIRQ_MSI, false,
          "map_pirq_msi bus=0 devfn=0x28 entry=1 table=0x0 pirq=100 = -1\n",
          "", "mapping 1 MSI" },
        { 1ull << XEN_PCI_HV_BIND_MSI, false,
          "map_pirq_msi bus=0 devfn=0x28 entry=1 table=0x0 pirq=100\n"
          "bind_msi gvec=0x31 pirq=100 gflags=0x10001 gtable=0x0 = -1\n"
          "unmap_pirq pirq=100\n", "", "binding MSI vector 0" },
        { 0, true,
          "map_pirq_msi bus=0 devfn=0x28 entry=1 table=0x0 pirq=100\n"
          "bind_msi gvec=0x31 pirq=100 gflags=0x10001 gtable=0x0\n"
          "unbind_msi gvec=0x31 pirq=100 gflags=0x10001\n"
          "unmap_pirq pirq=100\n", "msi 1 = fail\n", "enabling MSI" },
    };
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) err = NULL;
        Fx x;

        fx_init(&x, 0);
        x.hv.fail_mask = cases[i].fail;
        x.host_fails = cases[i].host_fails;
        guest_msi(&x, 0xfee01000, 0x4031, 1);
        g_assert_false(xen_pci_intr_msi_sync(&x.in, &err));
        g_assert_nonnull(strstr(err->message, cases[i].error));
        fx_expect(&x, cases[i].hv, cases[i].host);
        assert_nothing_left(&x);
        g_assert_cmpuint(guest_read(&x, MSI_CAP + 2, 2) & 1, ==, 0);
        fx_free(&x);
    }
}

/* ---- MSI-X for a PV guest ---- */

static void test_pv_msix(void)
{
    static const uint16_t entries[] = { 0, 3 };
    Fx x;
    int pirqs[2];

    fx_init(&x, 0);
    g_assert_cmpuint(x.in.msix_size, ==, 5);
    g_assert_true(xen_pci_intr_msix_enable(&x.in, entries, 2, pirqs, NULL));
    g_assert_cmpint(pirqs[0], ==, 100);
    g_assert_cmpint(pirqs[1], ==, 101);
    fx_expect(&x, "map_pirq_msi bus=0 devfn=0x28 entry=0 table=0xfebf0000 "
              "pirq=100\n"
              "map_pirq_msi bus=0 devfn=0x28 entry=3 table=0xfebf0000 "
              "pirq=101\n", "msix 1 0\n");
    g_assert_cmpuint(xpf_host_interrupts(x.d), ==, XPF_INTR_MSIX);
    xen_pci_intr_msix_disable(&x.in);
    fx_expect(&x, "unmap_pirq pirq=100\nunmap_pirq pirq=101\n",
              "msix 0 0\n");
    assert_nothing_left(&x);
    fx_free(&x);
}

static void test_pv_msix_fails(void)
{
    static const uint16_t entries[] = { 0, 3 };
    Fx x;
    g_autoptr(GError) err = NULL;
    int pirqs[2];

    /* the host refuses the enable: both entries unmapped */
    fx_init(&x, 0);
    x.host_fails = true;
    g_assert_false(xen_pci_intr_msix_enable(&x.in, entries, 2, pirqs, &err));
    g_assert_nonnull(strstr(err->message, "enabling MSI-X"));
    fx_expect(&x, "map_pirq_msi bus=0 devfn=0x28 entry=0 table=0xfebf0000 "
              "pirq=100\n"
              "map_pirq_msi bus=0 devfn=0x28 entry=3 table=0xfebf0000 "
              "pirq=101\n"
              "unmap_pirq pirq=100\nunmap_pirq pirq=101\n",
              "msix 1 0 = fail\n");
    assert_nothing_left(&x);
    g_assert_cmpuint(guest_read(&x, MSIX_CAP + 2, 2) & 0x8000, ==, 0);
    fx_free(&x);

    /* a map fails: the one mapped before it is unmapped */
    g_clear_error(&err);
    fx_init(&x, 0);
    x.hv.fail_mask = 1ull << XEN_PCI_HV_MAP_PIRQ_MSI;
    g_assert_false(xen_pci_intr_msix_enable(&x.in, entries, 2, pirqs, &err));
    g_assert_nonnull(strstr(err->message, "mapping MSI-X entry 0"));
    fx_expect(&x, "map_pirq_msi bus=0 devfn=0x28 entry=0 table=0xfebf0000 "
              "pirq=100 = -1\n", "");
    assert_nothing_left(&x);
    fx_free(&x);
}

/* ---- MSI-X for an HVM guest ---- */

static void guest_msix_enable(Fx *x, bool masked)
{
    guest_write(x, MSIX_CAP + 2, 2, 0x8000 | (masked ? 0x4000 : 0));
}

static void test_hvm_msix(void)
{
    XenPciMsg m = { .addr = 0xfee01000, .data = 0x51, .masked = true };
    Fx x;

    fx_init(&x, 0);
    guest_msix_enable(&x, true);
    g_assert_true(xen_pci_intr_msix_control(&x.in, NULL));
    fx_expect(&x, "", "msix 1 1\n");
    g_assert_cmpuint(xpf_host_interrupts(x.d), ==, XPF_INTR_MSIX);
    /* masked: not mapped yet */
    g_assert_true(xen_pci_intr_msix_entry(&x.in, 2, &m, 0xe0000000, NULL));
    fx_expect(&x, "", "");
    guest_msix_enable(&x, false);
    g_assert_true(xen_pci_intr_msix_control(&x.in, NULL));
    fx_expect(&x, "", "msix 1 0\n");
    m.masked = false;
    g_assert_true(xen_pci_intr_msix_entry(&x.in, 2, &m, 0xe0000000, NULL));
    fx_expect(&x, "map_pirq_msi bus=0 devfn=0x28 entry=2 table=0xfebf0000 "
              "pirq=100\n"
              "bind_msi gvec=0x51 pirq=100 gflags=0x10001 "
              "gtable=0xe0000000\n", "");
    /* the table moves */
    g_assert_true(xen_pci_intr_msix_rebind(&x.in, 2, 0xe0100000, NULL));
    fx_expect(&x, "bind_msi gvec=0x51 pirq=100 gflags=0x10001 "
              "gtable=0xe0100000\n", "");
    guest_write(&x, MSIX_CAP + 2, 2, 0);
    g_assert_true(xen_pci_intr_msix_control(&x.in, NULL));
    fx_expect(&x, "unbind_msi gvec=0x51 pirq=100 gflags=0x10001\n"
              "unmap_pirq pirq=100\n", "msix 0 0\n");
    assert_nothing_left(&x);
    fx_free(&x);
}

static void test_hvm_msix_fails(void)
{
    XenPciMsg m = { .addr = 0xfee01000, .data = 0x51 };
    g_autoptr(GError) err = NULL;
    Fx x;

    fx_init(&x, 0);
    guest_msix_enable(&x, false);
    g_assert_true(xen_pci_intr_msix_control(&x.in, NULL));
    fx_expect(&x, "", "msix 1 0\n");
    /* bind fails: the entry is unmapped again */
    x.hv.fail_mask = 1ull << XEN_PCI_HV_BIND_MSI;
    g_assert_false(xen_pci_intr_msix_entry(&x.in, 1, &m, 0, &err));
    g_assert_nonnull(strstr(err->message, "binding MSI-X entry 1"));
    fx_expect(&x, "map_pirq_msi bus=0 devfn=0x28 entry=1 table=0xfebf0000 "
              "pirq=100\n"
              "bind_msi gvec=0x51 pirq=100 gflags=0x10001 gtable=0x0 = -1\n"
              "unmap_pirq pirq=100\n", "");
    g_assert_cmpint(x.in.msix[1].pirq, ==, -1);
    /* map fails */
    g_clear_error(&err);
    x.hv.fail_mask = 1ull << XEN_PCI_HV_MAP_PIRQ_MSI;
    g_assert_false(xen_pci_intr_msix_entry(&x.in, 1, &m, 0, &err));
    fx_expect(&x, "map_pirq_msi bus=0 devfn=0x28 entry=1 table=0xfebf0000 "
              "pirq=101 = -1\n", "");
    /* a rebind fails: unbound and unmapped */
    x.hv.fail_mask = 0;
    g_assert_true(xen_pci_intr_msix_entry(&x.in, 1, &m, 0, NULL));
    fx_expect(&x, "map_pirq_msi bus=0 devfn=0x28 entry=1 table=0xfebf0000 "
              "pirq=102\n"
              "bind_msi gvec=0x51 pirq=102 gflags=0x10001 gtable=0x0\n", "");
    x.hv.fail_mask = 1ull << XEN_PCI_HV_BIND_MSI;
    g_assert_false(xen_pci_intr_msix_rebind(&x.in, 1, 0x1000, NULL));
    fx_expect(&x, "bind_msi gvec=0x51 pirq=102 gflags=0x10001 "
              "gtable=0x1000 = -1\n"
              "unbind_msi gvec=0x51 pirq=102 gflags=0x10001\n"
              "unmap_pirq pirq=102\n", "");
    /* the host refuses the enable: MSI-X Enable clear for the guest */
    x.hv.fail_mask = 0;
    xen_pci_intr_msix_disable(&x.in);
    fx_expect(&x, "", "msix 0 0\n");
    x.host_fails = true;
    guest_msix_enable(&x, false);
    g_assert_false(xen_pci_intr_msix_control(&x.in, NULL));
    fx_expect(&x, "", "msix 1 0 = fail\n");
    g_assert_cmpuint(guest_read(&x, MSIX_CAP + 2, 2) & 0x8000, ==, 0);
    assert_nothing_left(&x);
    fx_free(&x);
}

/* Cleanup undoes everything set up, whatever it is. */
static void test_cleanup(void)
{
    static const uint16_t entries[] = { 4 };
    Fx x;
    int pirq;

    fx_init(&x, 0);
    g_assert_true(xen_pci_intr_intx_bind(&x.in, 0, 5, 0, NULL));
    g_assert_true(xen_pci_intr_msix_enable(&x.in, entries, 1, &pirq, NULL));
    fx_expect(&x, "map_pirq_gsi gsi=11 pirq=100\n"
              "bind_intx pirq=100 bus=0 dev=5 intx=0\n"
              "map_pirq_msi bus=0 devfn=0x28 entry=4 table=0xfebf0000 "
              "pirq=101\n", "msix 1 0\n");
    xen_pci_intr_cleanup(&x.in);
    fx_expect(&x, "unmap_pirq pirq=101\n"
              "unbind_intx pirq=100 bus=0 dev=5 intx=0\n"
              "unmap_pirq pirq=100\n", "msix 0 0\n");
    g_assert_cmpuint(xpf_host_interrupts(x.d), ==, XPF_INTR_NONE);
    fx_free(&x);
}

/* Xen's flags from the message (x86 MSI address and data fields). */
static void test_gflags(void)
{
    /* dest 0x12, RH, DM, lowest priority (1), level trigger */
    g_assert_cmphex(xen_pci_msi_gflags(0xfee1200c, 0x8100, true), ==,
                    0x12 | 0x100 | 0x200 | 0x1000 | 0x8000 | 0x10000);
    g_assert_cmphex(xen_pci_msi_gflags(0xfee00000, 0x31, false), ==, 0);
    g_assert_cmpint(xen_pci_msi_guest_pirq(0xfee01000, 0x31), ==, -1);
    g_assert_cmpint(xen_pci_msi_guest_pirq(0xfee23000 | 1ull << 40, 0), ==,
                    0x123);
    g_assert_cmpint(xen_pci_msi_guest_pirq(0xfee00000, 0), ==, -1);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/intr/intx", test_intx);
    g_test_add_func("/intr/intx-map-fails", test_intx_map_fails);
    g_test_add_func("/intr/intx-bind-fails", test_intx_bind_fails);
    g_test_add_func("/intr/intx-unmap-fails", test_intx_unmap_fails);
    g_test_add_func("/intr/pv-msi", test_pv_msi);
    g_test_add_func("/intr/hvm-multi-msi", test_hvm_multi_msi);
    g_test_add_func("/intr/pv-multi-msi", test_pv_multi_msi);
    g_test_add_func("/intr/pv-msi-map-fails", test_pv_msi_map_fails);
    g_test_add_func("/intr/pv-msi-host-fails", test_pv_msi_host_fails);
    g_test_add_func("/intr/pv-msi-bad-count", test_pv_msi_bad_count);
    g_test_add_func("/intr/hvm-msi", test_hvm_msi);
    g_test_add_func("/intr/hvm-msi-guest-pirq", test_hvm_msi_guest_pirq);
    g_test_add_func("/intr/hvm-msi-fails", test_hvm_msi_fails);
    g_test_add_func("/intr/pv-msix", test_pv_msix);
    g_test_add_func("/intr/pv-msix-fails", test_pv_msix_fails);
    g_test_add_func("/intr/hvm-msix", test_hvm_msix);
    g_test_add_func("/intr/hvm-msix-fails", test_hvm_msix_fails);
    g_test_add_func("/intr/cleanup", test_cleanup);
    g_test_add_func("/intr/gflags", test_gflags);
    return g_test_run();
}
