/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The engine's rules checked over every real config space in
 * tests/fixtures/pci (QEMU's emulated devices and this machine's sysfs),
 * and over synthetic layouts with what no fixture has (VPD, PME support,
 * 32-bit MSI, a version 1 PCI Express capability, a BIST-capable
 * function, capabilities that are duplicated or run off the end).
 */
#include <stdarg.h>
#include <string.h>
#include "xpf-test-host.h"
#include "xpf-rules.h"

static const uint8_t known_caps[] = { 0x01, 0x03, 0x05, 0x09, 0x10, 0x11 };

static bool is_bridge(const TestHost *h)
{
    return (h->cfg[0x0e] & 0x7f) != 0;
}


/*
 * Conventional: 32-bit MSI without masking, a second MSI (unlinked), a
 * vendor capability running off the end (unlinked); BIST capable.
 */
static TestHost *synthetic_legacy(void)
{
    TestHost *h = test_host_synthetic(XPF_CFG_LEGACY_SIZE);

    h->cfg[0x0f] = 0x80;
    test_host_add_cap(h, 0x40, 0x05, 12);
    test_host_set(h, 0x42, 2, 0x0002);                   /* 2 vectors */
    test_host_add_cap(h, 0x4c, 0x13, 8);
    test_host_add_cap(h, 0x60, 0x05, 12);
    test_host_add_cap(h, 0xf4, 0x09, 0x10);
    test_host_set(h, 0xf6, 1, 0x10);
    return h;
}

/* A version 1 PCIe endpoint (link registers, no slot or root ones). */
static TestHost *synthetic_pcie_v1(void)
{
    TestHost *h = test_host_synthetic(XPF_CFG_SIZE);

    test_host_add_cap(h, 0xd8, 0x10, 0x24);
    test_host_set(h, 0xda, 2, 0x0001);
    test_host_add_cap(h, 0xf0, 0x01, 8);
    test_host_add_extcap(h, 0x100, 0x0001, 1);
    return h;
}

static const struct {
    const char *name;
    TestHost *(*make)(void);
} synthetic[] = {
    { "synthetic-rich", test_host_rich },
    { "synthetic-legacy", synthetic_legacy },
    { "synthetic-pcie-v1", synthetic_pcie_v1 },
};

static TestHost *load(const char *name)
{
    g_autoptr(GError) err = NULL;
    TestHost *h;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(synthetic); i++) {
        if (!strcmp(name, synthetic[i].name)) {
            return synthetic[i].make();
        }
    }
    h = test_host_load(name, &err);
    g_assert_no_error(err);
    return h;
}

static XpfDevice *create(TestHost *h, bool perm, bool intr)
{
    XpfConfig c = test_host_config(h, perm, intr);
    g_autoptr(GError) err = NULL;
    XpfDevice *d = xpf_device_new(&c, &err);

    g_assert_no_error(err);
    test_host_clear_log(h);
    return d;
}

static XpfDevice *create_mode(TestHost *h, bool perm, bool intr,
                              XpfExtCapMode mode, bool msi_single)
{
    XpfConfig c = test_host_config(h, perm, intr);
    g_autoptr(GError) err = NULL;
    XpfDevice *d;

    c.extcaps = mode;
    c.msi_single = msi_single;
    d = xpf_device_new(&c, &err);
    g_assert_no_error(err);
    test_host_clear_log(h);
    return d;
}

static uint32_t rd(XpfDevice *d, unsigned off, unsigned size)
{
    uint32_t v;

    g_assert_cmpint(xpf_read(d, off, size, &v), ==, XPF_OK);
    return v;
}

/* Bridges are refused with a clear error; everything else is accepted. */
static void check_create(gconstpointer data)
{
    g_autoptr(TestHost) h = load(data);
    XpfConfig c = test_host_config(h, false, false);
    g_autoptr(GError) err = NULL;
    g_autoptr(XpfDevice) d = xpf_device_new(&c, &err);

    if (is_bridge(h)) {
        g_assert_null(d);
        g_assert_nonnull(strstr(err->message, "bridge"));
        return;
    }
    g_assert_no_error(err);
    g_assert_cmpuint(xpf_device_footprint(d), <=, 16 * 1024);
}

/* IDs read as on the host, with no host access at all. */
static void check_identity(gconstpointer data)
{
    g_autoptr(TestHost) h = load(data);
    g_autoptr(XpfDevice) d = NULL;
    static const unsigned offs[] = { 0x00, 0x08, 0x2c };
    size_t i;

    g_assert_false(is_bridge(h));
    d = create(h, false, false);
    for (i = 0; i < G_N_ELEMENTS(offs); i++) {
        g_assert_cmphex(rd(d, offs[i], 4), ==, test_host_get(h, offs[i], 4));
    }
    g_assert_cmphex(rd(d, 0x0e, 1), ==, h->cfg[0x0e]);
    g_assert_cmphex(rd(d, 0x3d, 1), ==, h->cfg[0x3d]);
    g_assert_cmpuint(h->log->len, ==, 0);
}

/* The guest's capability lists hold known capabilities only. */
static void check_caplists(gconstpointer data)
{
    g_autoptr(TestHost) h = load(data);
    g_autoptr(XpfDevice) d = NULL;
    g_autoptr(XrRules) r = NULL;
    unsigned pos, n = 0;

    g_assert_false(is_bridge(h));
    d = create(h, false, false);
    r = xr_new(h, XPF_EXTCAP_HIDE);
    for (pos = rd(d, 0x34, 1); pos; pos = rd(d, pos + 1, 1)) {
        uint8_t id = rd(d, pos, 1);

        g_assert_cmpuint(++n, <=, 48);
        g_assert_nonnull(memchr(known_caps, id, sizeof(known_caps)));
        g_assert_cmphex(id, ==, h->cfg[pos]);
        g_assert_cmpuint(pos, ==, xr_kept_cap(r, n - 1));
    }
    /*
     * The capabilities the rules keep, in the function's order: the first
     * of each known one and every vendor-specific one that fit.
     */
    g_assert_cmpuint(n, ==, xr_num_caps(r));
    g_assert_cmphex(!!(rd(d, 0x06, 2) & 0x10), ==, n > 0);

    n = 0;
    for (pos = 0x100; pos && h->cfg_len > 0x100; ) {
        uint32_t hdr = rd(d, pos, 4);

        g_assert_cmpuint(++n, <=, 480);
        g_assert_true((hdr & 0xffff) == 0x0001 ||
                      ((hdr & 0xffff) == 0 && pos == 0x100));
        pos = hdr >> 20;
    }
}

/* Sizing every BAR through the engine gives the host's sizes. */
static void check_bar_sizing(gconstpointer data)
{
    g_autoptr(TestHost) h = load(data);
    g_autoptr(XpfDevice) d = NULL;
    uint32_t rom;
    unsigned i;

    g_assert_false(is_bridge(h));
    d = create(h, false, false);
    for (i = 0; i < XPF_NUM_BARS; i++) {
        const XpfBar *b = &h->bars[i];
        unsigned off = 0x10 + 4 * i;
        uint32_t orig = rd(d, off, 4), got;
        uint64_t want;

        g_assert_cmpint(xpf_write(d, off, 4, ~0u), ==, XPF_OK);
        got = rd(d, off, 4);
        g_assert_cmpint(xpf_write(d, off, 4, orig), ==, XPF_OK);
        if (!b->size) {
            /* An unimplemented BAR reads 0 and ignores writes. */
            g_assert_cmphex(got, ==, 0);
            continue;
        }
        want = ~(b->size - 1);
        /* The size mask, and the type bits as the function has them. */
        g_assert_cmphex(got & ~(b->io ? 0x3u : 0xfu), ==,
                        (uint32_t)want & ~(b->io ? 0x3u : 0xfu));
        g_assert_cmphex(got & (b->io ? 0x3 : 0xf), ==,
                        h->cfg[off] & (b->io ? 0x3 : 0xf));
        if (b->mem64) {
            off += 4;
            orig = rd(d, off, 4);
            g_assert_cmpint(xpf_write(d, off, 4, ~0u), ==, XPF_OK);
            g_assert_cmphex(rd(d, off, 4), ==, (uint32_t)(want >> 32));
            g_assert_cmpint(xpf_write(d, off, 4, orig), ==, XPF_OK);
            i++;
        }
    }
    /* The ROM: size mask with the enable bit written, bits 1-10 zero. */
    rom = rd(d, 0x30, 4);
    g_assert_cmpint(xpf_write(d, 0x30, 4, ~0u), ==, XPF_OK);
    g_assert_cmphex(rd(d, 0x30, 4), ==, h->bars[XPF_ROM_SLOT].size ?
                    ((uint32_t)~(h->bars[XPF_ROM_SLOT].size - 1) | 1) : 0);
    g_assert_cmpint(xpf_write(d, 0x30, 4, rom), ==, XPF_OK);
    g_assert_cmphex(rd(d, 0x30, 4), ==, rom);
    /* Sizing never reaches the host. */
    g_assert_cmpuint(test_host_writes(h), ==, 0);
}

/*
 * Quirks where the rules find unlisted registers: byte quirks at both ends
 * of one unlisted dword (its middle bytes stay unlisted), a word quirk in
 * another.  The engine must accept what the rules accept.
 */
static bool add_quirks(const char *name, XpfDevice *d, XrRules *r)
{
    unsigned off, n = 0;

    for (off = 0x40; off < XPF_CFG_SIZE && n < 2; off += 4) {
        if (!xr_quirk_ok(r, off, 4, ~0u)) {
            continue;
        }
        if (n++ == 0) {
            g_assert_true(xpf_add_quirk(d, off, 1, 0xff, NULL));
            xr_add_quirk(r, off, 1, 0xff);
            g_assert_true(xpf_add_quirk(d, off + 3, 1, 0x0f, NULL));
            xr_add_quirk(r, off + 3, 1, 0x0f);
        } else {
            g_assert_true(xpf_add_quirk(d, off + 2, 2, 0xf00f, NULL));
            xr_add_quirk(r, off + 2, 2, 0xf00f);
        }
    }
    g_test_message("%s: quirks in %u unlisted dwords", name, n);
    return n == 2;
}

/* The guest-visible interrupt state, as a guest reads it. */
static void read_intr_state(XpfDevice *d, const XrRules *r, uint16_t *cmd,
                            uint16_t *msi, uint16_t *msix)
{
    *cmd = rd(d, 0x04, 2);
    *msi = xr_cap(r, 0x05) ? rd(d, xr_cap(r, 0x05) + 2, 2) : 0;
    *msix = xr_cap(r, 0x11) ? rd(d, xr_cap(r, 0x11) + 2, 2) : 0;
}

/* A rule broken: the test fails with the reason, and goes no further. */
static bool broken(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static bool broken(const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_test_message("%s", msg);
    g_test_fail();
    return false;
}

/* Every byte the guest reads, judged by the rules. */
static bool check_all_reads(const char *name, XpfDevice *d,
                            const XrRules *r, const TestHost *h)
{
    char why[256];
    unsigned off;

    for (off = 0; off < XPF_CFG_SIZE; off += 4) {
        uint32_t v = rd(d, off, 4);

        if (!xr_check_read(r, off, 4, v, h->cfg, why, sizeof(why))) {
            return broken("%s: read 0x%x/4 = 0x%08x: %s", name, off, v, why);
        }
    }
    return true;
}

/*
 * One guest write, judged by the rules (xpf-rules.c), which do not look at
 * the engine's register table: the status the write must end in, what
 * reached the host, the guest-visible interrupt state after it.
 */
static bool judged_write(const char *name, XpfDevice *d, XrRules *r,
                         TestHost *h, const XpfPolicy *pol, unsigned off,
                         unsigned size, uint32_t val)
{
    uint8_t before[XPF_CFG_SIZE];
    uint16_t cmd, msi, msix;
    char why[256];
    XpfStatus st;
    unsigned i;
    XrWrite w;

    /* Every error / status bit of the host latched: clearing one shows. */
    for (i = 0; i < h->cfg_len; i++) {
        h->cfg[i] |= h->w1c[i];
    }
    memcpy(before, h->cfg, sizeof(before));
    test_host_clear_log(h);
    xr_write(r, pol, off, size, val, &w);
    st = xpf_write(d, off, size, val);
    if (st != w.status) {
        return broken("%s: write 0x%x/%u = 0x%x: status %d, the rules say "
                      "%d", name, off, size, val, st, w.status);
    }
    if (!xr_check_host(r, &w, before, h->cfg, (TestHostOp *)h->log->data,
                       h->log->len, why, sizeof(why))) {
        return broken("%s: write 0x%x/%u = 0x%x: %s", name, off, size, val,
                      why);
    }
    read_intr_state(d, r, &cmd, &msi, &msix);
    if (!xr_check_intr_state(r, cmd, msi, msix, why, sizeof(why))) {
        return broken("%s: after write 0x%x/%u = 0x%x: %s", name, off, size,
                      val, why);
    }
    return true;
}

/*
 * Write storm, the host's status bits latched before every write: all
 * ones, then zeros, then a pattern to every dword, then words and bytes.
 * Each write ends as the rules say and changes the host only as they allow;
 * the host's decode bits never change; afterwards every byte the guest
 * reads is what the rules say.
 */
static void storm_mode(const char *name, bool perm, bool intr,
                       XpfExtCapMode mode, bool quirks, bool msi_single)
{
    g_autoptr(TestHost) h = load(name);
    g_autoptr(XpfDevice) d = NULL;
    g_autoptr(XrRules) r = NULL;
    XpfPolicy pol = { .permissive = perm, .allow_interrupt_control = intr };
    static const uint32_t pats[] = { ~0u, 0, 0x5a5aa5a5 };
    uint16_t cmd, msi, msix;
    uint8_t decode = h->cfg[4] & 7;
    unsigned off, i;

    g_assert_false(is_bridge(h));
    d = create_mode(h, perm, intr, mode, msi_single);
    r = xr_new(h, mode);
    if (msi_single) {
        xr_msi_single(r);
    }
    read_intr_state(d, r, &cmd, &msi, &msix);
    xr_set_intr_state(r, cmd, msi, msix);
    if (quirks && !add_quirks(name, d, r)) {
        g_test_skip("fewer than two unlisted dwords to put quirks in");
        return;
    }
    for (i = 0; i < G_N_ELEMENTS(pats); i++) {
        for (off = 0; off < XPF_CFG_SIZE; off += 4) {
            if (!judged_write(name, d, r, h, &pol, off, 4, pats[i])) {
                return;
            }
            g_assert_true((xpf_interrupt_type(d) &
                           (XPF_INTR_MSI | XPF_INTR_MSIX)) !=
                          (XPF_INTR_MSI | XPF_INTR_MSIX) || perm);
        }
    }
    /* Word and byte writes. */
    for (off = 0; off < XPF_CFG_SIZE; off += 2) {
        if (!judged_write(name, d, r, h, &pol, off, 2, 0xa55a)) {
            return;
        }
    }
    for (off = 0; off < XPF_CFG_SIZE; off++) {
        if (!judged_write(name, d, r, h, &pol, off, 1, off & 1 ? 0xff : 0)) {
            return;
        }
    }
    g_assert_cmphex(h->cfg[4] & 7, ==, decode);
    check_all_reads(name, d, r, h);
}

static void check_storm_default(gconstpointer data)
{
    storm_mode(data, false, false, XPF_EXTCAP_HIDE, false, false);
}

static void check_storm_intr_control(gconstpointer data)
{
    storm_mode(data, false, true, XPF_EXTCAP_HIDE, false, false);
}

/* MSI offered as one message (the HVM device model's configuration). */
static void check_storm_msi_single(gconstpointer data)
{
    storm_mode(data, false, true, XPF_EXTCAP_HIDE, false, true);
}

static void check_storm_permissive(gconstpointer data)
{
    storm_mode(data, true, true, XPF_EXTCAP_HIDE, false, false);
}

/* Extended capabilities linked read-only, permissive. */
static void check_storm_extcaps_readonly(gconstpointer data)
{
    storm_mode(data, true, false, XPF_EXTCAP_READONLY, false, false);
}

/* Quirks on unlisted registers, with unlisted bytes between them. */
static void check_storm_quirks(gconstpointer data)
{
    storm_mode(data, false, false, XPF_EXTCAP_HIDE, true, false);
}

/* A fresh device: every byte the guest reads is what the rules say. */
static void check_reads(gconstpointer data)
{
    g_autoptr(TestHost) h = load(data);
    g_autoptr(XpfDevice) d = NULL;
    g_autoptr(XrRules) r = NULL;

    g_assert_false(is_bridge(h));
    d = create(h, false, false);
    r = xr_new(h, XPF_EXTCAP_HIDE);
    if (!check_all_reads(data, d, r, h)) {
        return;
    }
    xpf_device_free(g_steal_pointer(&d));
    xr_free(g_steal_pointer(&r));
    d = create_mode(h, false, false, XPF_EXTCAP_READONLY, false);
    r = xr_new(h, XPF_EXTCAP_READONLY);
    check_all_reads(data, d, r, h);
}

/* Byte, word and dword reads of the whole space agree with each other. */
static void check_widths(gconstpointer data)
{
    g_autoptr(TestHost) h = load(data);
    g_autoptr(XpfDevice) d = NULL;
    unsigned off;

    g_assert_false(is_bridge(h));
    d = create(h, false, false);
    for (off = 0; off < XPF_CFG_SIZE; off += 4) {
        uint32_t dw = rd(d, off, 4);

        g_assert_cmphex(rd(d, off, 2) | rd(d, off + 2, 2) << 16, ==, dw);
        g_assert_cmphex(rd(d, off, 1) | rd(d, off + 1, 1) << 8 |
                        rd(d, off + 2, 1) << 16 | rd(d, off + 3, 1) << 24,
                        ==, dw);
    }
}

int main(int argc, char **argv)
{
    g_auto(GStrv) fixtures = test_fixture_names();
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    /*
     * Bridges cannot be passed through: for them only "create" applies
     * (the engine must refuse them); the other checks are registered for
     * the functions that can be assigned.
     */
    static const struct {
        const char *check;
        GTestDataFunc fn;
    } checks[] = {
        { "create", check_create },
        { "identity", check_identity },
        { "caplists", check_caplists },
        { "bar-sizing", check_bar_sizing },
        { "widths", check_widths },
        { "storm-default", check_storm_default },
        { "storm-intr-control", check_storm_intr_control },
        { "storm-msi-single", check_storm_msi_single },
        { "storm-permissive", check_storm_permissive },
        { "storm-extcaps-readonly", check_storm_extcaps_readonly },
        { "storm-quirks", check_storm_quirks },
        { "reads", check_reads },
    };
    unsigned i, j;

    g_test_init(&argc, &argv, NULL);
    g_assert_cmpuint(g_strv_length(fixtures), >=, 10);
    for (i = 0; fixtures[i]; i++) {
        g_ptr_array_add(names, fixtures[i]);
    }
    for (i = 0; i < G_N_ELEMENTS(synthetic); i++) {
        g_ptr_array_add(names, (char *)synthetic[i].name);
    }
    for (i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        g_autoptr(TestHost) h = load(name);

        for (j = 0; j < G_N_ELEMENTS(checks); j++) {
            g_autofree char *path = g_strdup_printf("/xpf/fixtures/%s/%s",
                                                    name, checks[j].check);

            if (is_bridge(h) && checks[j].fn != check_create) {
                continue;
            }
            g_test_add_data_func(path, name, checks[j].fn);
        }
    }
    return g_test_run();
}
