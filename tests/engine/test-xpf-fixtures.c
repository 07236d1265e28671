/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The engine's rules checked over every real config space in
 * tests/fixtures/pci (QEMU's emulated devices and this machine's sysfs).
 */
#include <string.h>
#include "xpf-test-host.h"

static const uint8_t known_caps[] = { 0x01, 0x03, 0x05, 0x09, 0x10, 0x11 };

static bool is_bridge(const TestHost *h)
{
    return (h->cfg[0x0e] & 0x7f) != 0;
}

static TestHost *load(const char *name)
{
    g_autoptr(GError) err = NULL;
    TestHost *h = test_host_load(name, &err);

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
    unsigned pos, n = 0, host_known = 0, hpos;

    g_assert_false(is_bridge(h));
    d = create(h, false, false);
    for (hpos = h->cfg[0x34] & ~3u; (h->cfg[6] & 0x10) && hpos >= 0x40 &&
         n++ < 48; hpos = h->cfg[hpos + 1] & ~3u) {
        host_known += memchr(known_caps, h->cfg[hpos],
                             sizeof(known_caps)) != NULL;
    }
    n = 0;
    for (pos = rd(d, 0x34, 1); pos; pos = rd(d, pos + 1, 1)) {
        uint8_t id = rd(d, pos, 1);

        g_assert_cmpuint(++n, <=, 48);
        g_assert_nonnull(memchr(known_caps, id, sizeof(known_caps)));
        g_assert_cmphex(id, ==, h->cfg[pos]);
    }
    /* Every known capability the host lists is kept (none duplicated). */
    g_assert_cmpuint(n, ==, host_known);
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

/* Which host bits a write may change, per byte. */
static void allowed_bits(XpfDevice *d, unsigned b, bool permissive,
                         uint8_t *free_bits, uint8_t *clr_bits)
{
    const XpfRegDesc *r = xpf_find_reg(d, b);
    unsigned sh;

    if (!r) {
        *free_bits = permissive ? 0xff : 0;
        *clr_bits = 0;
        return;
    }
    sh = 8 * (b - r->offset);
    *free_bits = (~(r->emu | r->ro | r->rsvdp | r->rsvdz | r->rw1c)) >> sh;
    *clr_bits = (r->rw1c | r->rsvdz) >> sh;
}

/*
 * Write storm: all ones, then zeros, then a pattern to every dword.  The
 * host changes only where the register table allows, its decode bits never,
 * and read-only guest-visible values stay what they were.
 */
static void storm(const char *name, bool perm, bool intr)
{
    g_autoptr(TestHost) h = load(name);
    g_autoptr(XpfDevice) d = NULL;
    uint8_t before[XPF_CFG_SIZE];
    static const uint32_t pats[] = { ~0u, 0, 0x5a5aa5a5 };
    unsigned off, i, b;
    uint32_t ids[3];

    g_assert_false(is_bridge(h));
    d = create(h, perm, intr);
    memcpy(before, h->cfg, sizeof(before));
    ids[0] = rd(d, 0, 4);
    ids[1] = rd(d, 8, 4);
    ids[2] = rd(d, 0x2c, 4);
    for (i = 0; i < G_N_ELEMENTS(pats); i++) {
        for (off = 0; off < XPF_CFG_SIZE; off += 4) {
            XpfStatus st = xpf_write(d, off, 4, pats[i]);

            g_assert_true(st == XPF_OK || st == XPF_E_REFUSED);
            g_assert_true((xpf_interrupt_type(d) &
                           (XPF_INTR_MSI | XPF_INTR_MSIX)) !=
                          (XPF_INTR_MSI | XPF_INTR_MSIX) || perm);
        }
    }
    for (b = 0; b < h->cfg_len; b++) {
        uint8_t diff = before[b] ^ h->cfg[b], fb, cb;

        allowed_bits(d, b, perm, &fb, &cb);
        if (diff & ~(fb | (cb & before[b] & ~h->cfg[b]))) {
            g_error("%s: host byte 0x%x changed %02x -> %02x beyond the "
                    "allowed %02x/%02x", name, b, before[b], h->cfg[b],
                    fb, cb);
        }
    }
    g_assert_cmphex(h->cfg[4] & 7, ==, before[4] & 7);
    g_assert_cmphex(rd(d, 0, 4), ==, ids[0]);
    g_assert_cmphex(rd(d, 8, 4), ==, ids[1]);
    g_assert_cmphex(rd(d, 0x2c, 4), ==, ids[2]);
}

static void check_storm_default(gconstpointer data)
{
    storm(data, false, false);
}

static void check_storm_intr_control(gconstpointer data)
{
    storm(data, false, true);
}

static void check_storm_permissive(gconstpointer data)
{
    storm(data, true, true);
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
    g_auto(GStrv) names = test_fixture_names();
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
        { "storm-permissive", check_storm_permissive },
    };
    unsigned i, j;

    g_test_init(&argc, &argv, NULL);
    g_assert_cmpuint(g_strv_length(names), >=, 10);
    for (i = 0; names[i]; i++) {
        g_autoptr(TestHost) h = load(names[i]);

        for (j = 0; j < G_N_ELEMENTS(checks); j++) {
            g_autofree char *path = g_strdup_printf("/xpf/fixtures/%s/%s",
                                                    names[i],
                                                    checks[j].check);

            if (is_bridge(h) && checks[j].fn != check_create) {
                continue;
            }
            g_test_add_data_func(path, names[i], checks[j].fn);
        }
    }
    return g_test_run();
}
