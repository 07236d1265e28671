/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Unit tests of the register-filter engine: registration, access rules, the
 * header, capabilities, extended capabilities, policies, events and the
 * named security vectors.  Every test drives the engine the way a guest
 * would and checks both what the guest sees and what reached the host.
 */
#include <string.h>
#include "xpf-test-host.h"

/* ---- helpers ---- */

typedef struct Recorder {
    GArray *events;      /* XpfEvent */
    unsigned dec[XPF_DEC__COUNT];
    XpfDecision last_dec;
    const char *last_why;
} Recorder;

static void rec_event(void *opaque, const XpfEvent *ev)
{
    Recorder *r = opaque;

    g_array_append_val(r->events, *ev);
}

static void rec_decision(void *opaque, XpfDecision dec, unsigned off,
                         unsigned size, uint32_t val, const char *why)
{
    Recorder *r = opaque;

    r->dec[dec]++;
    r->last_dec = dec;
    r->last_why = why;
}

static const XpfPathOps rec_ops = {
    .event = rec_event, .decision = rec_decision,
};

static Recorder rec;

static XpfDevice *mkdev_full(TestHost *h, bool perm, bool intr,
                             XpfExtCapMode mode)
{
    XpfConfig c = test_host_config(h, perm, intr);
    g_autoptr(GError) err = NULL;
    XpfDevice *d;

    if (rec.events) {
        g_array_free(rec.events, true);
    }
    memset(&rec, 0, sizeof(rec));
    rec.events = g_array_new(false, true, sizeof(XpfEvent));
    c.path = &rec_ops;
    c.path_opaque = &rec;
    c.extcaps = mode;
    d = xpf_device_new(&c, &err);
    g_assert_no_error(err);
    g_assert_nonnull(d);
    test_host_clear_log(h);
    return d;
}

static XpfDevice *mkdev(TestHost *h, bool perm, bool intr)
{
    return mkdev_full(h, perm, intr, XPF_EXTCAP_HIDE);
}

static uint32_t rd(XpfDevice *d, unsigned off, unsigned size)
{
    uint32_t v = 0xdeadbeef;

    g_assert_cmpint(xpf_read(d, off, size, &v), ==, XPF_OK);
    return v;
}

static const XpfEvent *last_event(void)
{
    g_assert_cmpuint(rec.events->len, >, 0);
    return &g_array_index(rec.events, XpfEvent, rec.events->len - 1);
}

/* A synthetic function with PM, MSI (64-bit, 4 vectors, PVM), MSI-X, PCIe. */

/* ---- registration ---- */

static void test_reg_validation(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) d = mkdev(h, false, false);
    static const struct {
        XpfRegDesc r;
        const char *what;
    } bad[] = {
        { { .offset = 0x200, .size = 3, .event = -1, .name = "t" }, "size" },
        { { .offset = 0x202, .size = 4, .event = -1, .name = "t" }, "align" },
        { { .offset = 0xffe, .size = 4, .event = -1, .name = "t" }, "end" },
        { { .offset = 0x1000, .size = 1, .event = -1, .name = "t" }, "off" },
        { { .offset = 0x200, .size = 2, .ro = 0x10000, .event = -1,
            .name = "t" }, "wide" },
        { { .offset = 0x200, .size = 4, .ro = 1, .rw1c = 1, .event = -1,
            .name = "t" }, "ro+rw1c" },
        { { .offset = 0x200, .size = 4, .rsvdp = 2, .rsvdz = 2,
            .event = -1, .name = "t" }, "rsvdp+rsvdz" },
        { { .offset = 0x200, .size = 4, .rsvdz = 4, .emu = 4, .event = -1,
            .name = "t" }, "rsvd+emu" },
        { { .offset = 0x200, .size = 4, .emu = 1, .init = 3, .event = -1,
            .name = "t" }, "init" },
        { { .offset = 0x200, .size = 4, .event = XPF_EV__COUNT,
            .name = "t" }, "event" },
        { { .offset = 0x04, .size = 1, .event = -1, .name = "t" }, "overlap" },
        { { .offset = 0x0c, .size = 4, .event = -1, .name = "t" },
          "overlap4" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) err = NULL;

        g_test_message("bad registration: %s", bad[i].what);
        g_assert_false(xpf_add_reg(d, &bad[i].r, &err));
        g_assert_error(err, XPF_ERROR, 0);
    }
}

static void test_reg_sorted_lookup(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) d = mkdev(h, false, false);
    static const unsigned offs[] = { 0x30c, 0x300, 0x308, 0x304, 0x30e };
    size_t i;
    unsigned b;

    for (i = 0; i < G_N_ELEMENTS(offs); i++) {
        XpfRegDesc r = {
            .offset = offs[i], .size = offs[i] == 0x30e ? 2 : 4,
            .event = -1, .name = "t",
        };
        if (offs[i] == 0x30c) {
            r.size = 2;
        }
        g_assert_true(xpf_add_reg(d, &r, NULL));
    }
    for (b = 0x300; b < 0x310; b++) {
        const XpfRegDesc *r = xpf_find_reg(d, b);

        g_assert_nonnull(r);
        g_assert_cmpuint(r->offset, <=, b);
        g_assert_cmpuint(r->offset + r->size, >, b);
    }
    g_assert_null(xpf_find_reg(d, 0x310));
    g_assert_null(xpf_find_reg(d, 0x2ff));
}

static void test_reg_limit(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) d = mkdev(h, false, false);
    g_autoptr(GError) err = NULL;
    unsigned off;
    bool ok = true;

    for (off = 0x400; ok && off < 0x1000; off++) {
        XpfRegDesc r = { .offset = off, .size = 1, .event = -1, .name = "t" };

        ok = xpf_add_reg(d, &r, &err);
    }
    g_assert_false(ok);
    g_assert_nonnull(strstr(err->message, "too many"));
}

static void test_quirks(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) d = mkdev(h, false, false);
    g_autoptr(GError) err = NULL;

    /* Unlisted: dropped. */
    g_assert_cmpint(xpf_write(d, 0xa0, 4, 0x12345678), ==, XPF_OK);
    g_assert_cmphex(test_host_get(h, 0xa0, 4), ==, 0);
    g_assert_cmpuint(test_host_writes(h), ==, 0);
    /* A quirk passes the masked bits, keeps the others. */
    test_host_set(h, 0xa0, 4, 0xaa0000aa);
    g_assert_true(xpf_add_quirk_str(d, "0xa0:4:0x0000ffff", NULL));
    g_assert_cmpint(xpf_write(d, 0xa0, 4, 0x12345678), ==, XPF_OK);
    g_assert_cmphex(test_host_get(h, 0xa0, 4), ==, 0xaa005678);
    g_assert_cmphex(rd(d, 0xa0, 4), ==, 0xaa005678);
    /* Overlaps and bad specs are refused. */
    g_assert_false(xpf_add_quirk(d, 0xa2, 2, 0xffff, &err));
    g_clear_error(&err);
    g_assert_false(xpf_add_quirk(d, 0x04, 2, 0xffff, &err));
    g_clear_error(&err);
    g_assert_false(xpf_add_quirk_str(d, "0xa4:3:1", &err));
    g_clear_error(&err);
    g_assert_false(xpf_add_quirk_str(d, "a4-4-1", &err));
    g_clear_error(&err);
    g_assert_false(xpf_add_quirk_str(d, "0xa4:2:0x10000", &err));
    g_clear_error(&err);
    g_assert_false(xpf_remove_quirk(d, 0x04, &err));
    g_clear_error(&err);
    /* Removal restores the default. */
    g_assert_true(xpf_remove_quirk(d, 0xa0, NULL));
    g_assert_cmpint(xpf_write(d, 0xa0, 4, 0), ==, XPF_OK);
    g_assert_cmphex(test_host_get(h, 0xa0, 4), ==, 0xaa005678);
    /* Numbers are hexadecimal with or without 0x, as pciback's. */
    g_assert_true(xpf_add_quirk_str(d, "a0:2:ff", NULL));
    g_assert_cmpint(xpf_write(d, 0xa0, 2, 0x1234), ==, XPF_OK);
    g_assert_cmphex(test_host_get(h, 0xa0, 4), ==, 0xaa005634);
}

/* ---- access rules ---- */

static void test_access_bad(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) d = mkdev(h, true, true);
    static const unsigned acc[][2] = {
        { 0, 3 }, { 0, 0 }, { 0, 8 }, { 1, 2 }, { 2, 4 }, { 3, 4 },
        { 0x1000, 1 }, { 0xffe, 4 }, { 0xffffffff, 4 }, { 0xfffffffe, 2 },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(acc); i++) {
        uint32_t v = 0;

        g_assert_cmpint(xpf_read(d, acc[i][0], acc[i][1], &v), ==,
                        XPF_E_ACCESS);
        g_assert_cmphex(v & 0xff, ==, 0xff);
        g_assert_cmpint(xpf_write(d, acc[i][0], acc[i][1], 0), ==,
                        XPF_E_ACCESS);
    }
    g_assert_cmpuint(h->log->len, ==, 0);
}

static void test_access_emulated_no_host(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) d = mkdev(h, false, false);

    g_assert_cmphex(rd(d, 0x00, 4), ==, 0x12341af4);
    g_assert_cmphex(rd(d, 0x08, 4), ==, 0x02000001);
    g_assert_cmphex(rd(d, 0x2c, 4), ==, 0);
    g_assert_cmphex(rd(d, 0x10, 4), ==, 0xfe000000);
    g_assert_cmphex(rd(d, 0x3d, 1), ==, 1);
    g_assert_cmpuint(h->log->len, ==, 0);
    /* A register with host bits costs exactly one host read. */
    rd(d, 0x04, 4);
    g_assert_cmpuint(test_host_reads(h), ==, 1);
}

static void test_access_widths(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) d = mkdev(h, false, false);
    unsigned off;

    /* Every width agrees with the bytes of the dword read. */
    for (off = 0; off < 0x40; off += 4) {
        uint32_t dw = rd(d, off, 4);

        g_assert_cmphex(rd(d, off, 2), ==, dw & 0xffff);
        g_assert_cmphex(rd(d, off + 2, 2), ==, dw >> 16);
        g_assert_cmphex(rd(d, off, 1), ==, dw & 0xff);
        g_assert_cmphex(rd(d, off + 3, 1), ==, dw >> 24);
    }
    /* A byte write into a dword register (BAR0 address byte 3). */
    g_assert_cmpint(xpf_write(d, 0x13, 1, 0xd0), ==, XPF_OK);
    g_assert_cmphex(rd(d, 0x10, 4), ==, 0xd0000000);
    g_assert_cmphex(test_host_get(h, 0x10, 4), ==, 0xfe000000);
}

static void test_access_spanning(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) d = mkdev(h, false, false);

    /* Dword at 0x04 spans command and status: one host read. */
    test_host_set(h, 0x06, 2, 0x0010 | 0x2000);  /* received master abort */
    g_assert_cmphex(rd(d, 0x04, 4), ==, 0x20000007);
    g_assert_cmpuint(test_host_reads(h), ==, 1);
    /* Dword write: command virtual, status bit cleared on the host. */
    test_host_clear_log(h);
    g_assert_cmpint(xpf_write(d, 0x04, 4, 0x20000010), ==, XPF_OK);
    g_assert_cmphex(test_host_get(h, 0x04, 2), ==, 0x0007);
    g_assert_cmpuint(test_host_writes(h), ==, 1);
    g_assert_cmphex(test_host_get(h, 0x06, 2) & 0x2000, ==, 0);
    g_assert_cmphex(rd(d, 0x04, 2), ==, 0x0010);
}

static void test_access_rmw_masks(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) d = mkdev(h, false, false);
    XpfRegDesc r = {
        .offset = 0x300, .size = 4, .ro = 0x000000f0, .rw1c = 0x00000f00,
        .rsvdp = 0x0000f000, .rsvdz = 0x000f0000, .emu = 0x0f000000,
        .init = 0x05000000, .event = -1, .name = "t",
    };
    uint32_t v;

    g_assert_true(xpf_add_reg(d, &r, NULL));
    memset(&h->w1c[0x301], 0x0f, 1);
    test_host_set(h, 0x300, 4, 0xf0f0fff3);
    /* Read: emulated, host, reserved-zero read as 0. */
    v = rd(d, 0x300, 4);
    g_assert_cmphex(v, ==, (0xf0f0fff3 & ~0x0f0f0000u) | 0x05000000);
    /* Write all ones: rw bits set, rw1c cleared, ro/rsvdp kept, rsvdz 0. */
    g_assert_cmpint(xpf_write(d, 0x300, 4, 0xffffffff), ==, XPF_OK);
    g_assert_cmphex(test_host_get(h, 0x300, 4), ==, 0xf0f0f0ff);
    g_assert_cmphex(xpf_get_emulated(d, 0x300), ==, 0x0f000000);
    /* Write zero: rw bits cleared, rw1c untouched, emulated cleared. */
    test_host_set(h, 0x301, 1, 0xff);
    g_assert_cmpint(xpf_write(d, 0x300, 4, 0), ==, XPF_OK);
    g_assert_cmphex(test_host_get(h, 0x300, 4), ==, 0x0000fff0);
    g_assert_cmphex(xpf_get_emulated(d, 0x300), ==, 0);
}

static void test_access_host_failure(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) d = mkdev(h, true, false);
    uint32_t v = 0;

    h->fail = true;
    g_assert_cmpint(xpf_read(d, 0x06, 2, &v), ==, XPF_E_HOST);
    g_assert_cmphex(v, ==, 0xffff);
    g_assert_cmpint(xpf_write(d, 0xa0, 4, 1), ==, XPF_E_HOST);
    /* Fully emulated registers still work. */
    g_assert_cmpint(xpf_read(d, 0x00, 2, &v), ==, XPF_OK);
    g_assert_cmphex(v, ==, 0x1af4);
}

static void test_access_conventional_ext(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_LEGACY_SIZE);
    g_autoptr(XpfDevice) d = mkdev(h, true, false);
    unsigned off;

    for (off = 0x100; off < 0x1000; off += 0x1fc) {
        g_assert_cmphex(rd(d, off, 4), ==, 0);
        g_assert_cmpint(xpf_write(d, off, 4, ~0u), ==, XPF_OK);
    }
    g_assert_cmpuint(h->log->len, ==, 0);
    g_assert_cmpuint(rec.dec[XPF_DEC_DROPPED], ==, 8);
}

/* ---- header ---- */

static void test_header_readonly_ids(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) d = mkdev(h, true, true);
    static const unsigned offs[] = { 0x00, 0x08, 0x0c, 0x2c, 0x3c };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(offs); i++) {
        g_assert_cmpint(xpf_write(d, offs[i], 4, 0), ==, XPF_OK);
    }
    g_assert_cmphex(rd(d, 0x00, 4), ==, 0x12341af4);
    g_assert_cmphex(rd(d, 0x08, 4), ==, 0x02000001);
    g_assert_cmphex(rd(d, 0x0c, 4) & 0xffff0000, ==, 0);
    g_assert_cmphex(test_host_get(h, 0x00, 4), ==, 0x12341af4);
    g_assert_cmphex(test_host_get(h, 0x08, 4), ==, 0x02000001);
    /* Cache line size is dom0's: virtual for the guest. */
    g_assert_cmphex(test_host_get(h, 0x0c, 1), ==, 0x10);
    /* Interrupt line is emulated; the pin is read-only. */
    g_assert_cmphex(test_host_get(h, 0x3c, 1), ==, 0x0a);
    g_assert_cmphex(rd(d, 0x3c, 2), ==, 0x0100);
}

static void test_header_bridge_refused(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    XpfConfig c;
    g_autoptr(GError) err = NULL;

    h->cfg[0x0e] = 0x81;
    c = test_host_config(h, false, false);
    g_assert_null(xpf_device_new(&c, &err));
    g_assert_nonnull(strstr(err->message, "bridge"));
    g_clear_error(&err);
    h->cfg[0x0e] = 0x02;
    g_assert_null(xpf_device_new(&c, &err));
    g_clear_error(&err);
    h->cfg[0x0e] = 0;
    test_host_set(h, 0, 2, 0xffff);
    g_assert_null(xpf_device_new(&c, &err));
    g_assert_nonnull(strstr(err->message, "vendor"));
    g_clear_error(&err);
    test_host_set(h, 0, 2, 0x8086);
    c.cfg_len = 64;
    g_assert_null(xpf_device_new(&c, &err));
    g_clear_error(&err);
    c.cfg_len = XPF_CFG_SIZE;
    c.bars[0].io = true;
    g_assert_null(xpf_device_new(&c, &err));
    g_assert_nonnull(strstr(err->message, "BAR 0"));
    g_clear_error(&err);
    c.bars[0].io = false;
    c.bars[0].size = 0x1800;
    g_assert_null(xpf_device_new(&c, &err));
    g_assert_nonnull(strstr(err->message, "power of two"));
}

/* XSA-120/126: the guest cannot cut decode or bus mastering on the host. */
static void test_xsa120_decode(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) d = mkdev(h, true, true);
    const XpfEvent *ev;

    g_assert_cmpint(xpf_write(d, 0x04, 2, 0x0000), ==, XPF_OK);
    g_assert_cmphex(test_host_get(h, 0x04, 2) & 0x7, ==, 0x7);
    g_assert_cmphex(rd(d, 0x04, 2) & 0x7, ==, 0);
    ev = last_event();
    g_assert_cmpint(ev->kind, ==, XPF_EV_COMMAND);
    g_assert_cmphex(ev->old_val & 7, ==, 7);
    g_assert_cmphex(ev->new_val & 7, ==, 0);
    g_assert_cmpuint(xpf_command(d) & 7, ==, 0);
    /* Byte writes cannot either; SERR/parity stay virtual. */
    g_assert_cmpint(xpf_write(d, 0x04, 1, 0x40), ==, XPF_OK);
    g_assert_cmpint(xpf_write(d, 0x05, 1, 0x01), ==, XPF_OK);
    g_assert_cmphex(test_host_get(h, 0x04, 2), ==, 0x0007);
    g_assert_cmphex(rd(d, 0x04, 2), ==, 0x0140);
}

static void test_header_intx_policy(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) d = mkdev(h, false, false);
    XpfPolicy p = { .allow_interrupt_control = true };

    /* Without allow_interrupt_control INTx disable is read-only. */
    g_assert_cmpint(xpf_write(d, 0x04, 2, 0x0407), ==, XPF_OK);
    g_assert_cmphex(rd(d, 0x04, 2), ==, 0x0007);
    g_assert_cmpint(xpf_interrupt_type(d), ==, XPF_INTR_INTX);
    /* With it, writable (emulated; the path applies it). */
    xpf_set_policy(d, &p);
    g_assert_cmpint(xpf_write(d, 0x04, 2, 0x0407), ==, XPF_OK);
    g_assert_cmphex(rd(d, 0x04, 2), ==, 0x0407);
    g_assert_cmpint(xpf_interrupt_type(d), ==, XPF_INTR_NONE);
    g_assert_cmphex(test_host_get(h, 0x04, 2), ==, 0x0007);
}

static void test_header_status_rw1c(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) d = mkdev(h, false, false);

    test_host_set(h, 0x06, 2, 0xf908);
    g_assert_cmphex(rd(d, 0x06, 2), ==, 0xf908);  /* no caps: bit 4 off */
    g_assert_cmpint(xpf_write(d, 0x06, 2, 0x0800), ==, XPF_OK);
    g_assert_cmphex(test_host_get(h, 0x06, 2), ==, 0xf108);
    /* Writing 0 clears nothing and spares the host. */
    test_host_clear_log(h);
    g_assert_cmpint(xpf_write(d, 0x06, 2, 0x0000), ==, XPF_OK);
    g_assert_cmphex(test_host_get(h, 0x06, 2), ==, 0xf108);
    g_assert_cmpuint(test_host_writes(h), ==, 0);
    /* A command word write never touches status. */
    g_assert_cmpint(xpf_write(d, 0x04, 2, 0x0017), ==, XPF_OK);
    g_assert_cmphex(test_host_get(h, 0x06, 2), ==, 0xf108);
}

static uint32_t size_bar(XpfDevice *d, unsigned off)
{
    uint32_t orig = rd(d, off, 4), mask;

    g_assert_cmpint(xpf_write(d, off, 4, ~0u), ==, XPF_OK);
    mask = rd(d, off, 4);
    g_assert_cmpint(xpf_write(d, off, 4, orig), ==, XPF_OK);
    g_assert_cmphex(rd(d, off, 4), ==, orig);
    return mask;
}

static void test_header_bars(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) d = mkdev(h, false, false);
    XpfBarState bs;

    g_assert_cmphex(size_bar(d, 0x10), ==, 0xfffff000);   /* 4 KiB mem32 */
    g_assert_cmphex(size_bar(d, 0x14), ==, 0x0000000c);   /* 16 GiB, pref */
    g_assert_cmphex(size_bar(d, 0x18), ==, 0xfffffffc);
    g_assert_cmphex(size_bar(d, 0x1c), ==, 0xffffffe1);   /* 32 B IO */
    g_assert_cmphex(size_bar(d, 0x20), ==, 0);            /* none */
    g_assert_cmphex(size_bar(d, 0x30), ==, 0xffff0001);   /* 64 KiB ROM */
    g_assert_cmpuint(h->log->len, ==, 0);

    /* Moves are emulated and raise events; the host keeps its BARs. */
    g_assert_cmpint(xpf_write(d, 0x10, 4, 0xe0001234), ==, XPF_OK);
    g_assert_cmphex(rd(d, 0x10, 4), ==, 0xe0001000);
    g_assert_cmpint(last_event()->kind, ==, XPF_EV_BAR);
    g_assert_cmpuint(last_event()->index, ==, 0);
    g_assert_cmpint(xpf_write(d, 0x18, 4, 0x5), ==, XPF_OK);  /* 16G-aligned */
    g_assert_cmpuint(last_event()->index, ==, 1);
    g_assert_true(xpf_bar_state(d, 1, &bs));
    g_assert_cmphex(bs.addr, ==, 0x400000000ull);
    g_assert_true(bs.mem64 && bs.prefetch && bs.enabled);
    g_assert_cmphex(bs.size, ==, 0x400000000ull);
    g_assert_true(xpf_bar_state(d, 3, &bs));
    g_assert_true(bs.io);
    g_assert_cmphex(bs.addr, ==, 0xc000);
    g_assert_false(xpf_bar_state(d, 4, &bs));
    g_assert_false(xpf_bar_state(d, 7, &bs));
    g_assert_cmphex(test_host_get(h, 0x10, 4), ==, 0xfe000000);
    g_assert_cmpuint(test_host_writes(h), ==, 0);

    /* ROM: enable bit and address are emulated. */
    g_assert_true(xpf_bar_state(d, XPF_ROM_SLOT, &bs));
    g_assert_false(bs.enabled);
    g_assert_cmpint(xpf_write(d, 0x30, 4, 0xfc000001), ==, XPF_OK);
    g_assert_cmpint(last_event()->kind, ==, XPF_EV_ROM);
    g_assert_true(xpf_bar_state(d, XPF_ROM_SLOT, &bs));
    g_assert_true(bs.enabled);
    g_assert_cmphex(bs.addr, ==, 0xfc000000);
    g_assert_cmphex(test_host_get(h, 0x30, 4), ==, 0xfd000000);
}

static void test_header_bist(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) d = NULL;

    d = mkdev(h, false, false);
    g_assert_cmpint(xpf_write(d, 0x0f, 1, 0x40), ==, XPF_OK);
    g_assert_cmphex(test_host_get(h, 0x0f, 1), ==, 0);  /* not capable */
    xpf_device_free(g_steal_pointer(&d));
    h->cfg[0x0f] = 0x80;
    d = mkdev(h, false, false);
    g_assert_cmpint(xpf_write(d, 0x0f, 1, 0x4f), ==, XPF_OK);
    g_assert_cmphex(test_host_get(h, 0x0f, 1), ==, 0xc0);
}

/* ---- capabilities ---- */

static void test_caps_list(void)
{
    g_autoptr(TestHost) h = test_host_rich();
    g_autoptr(XpfDevice) d = mkdev(h, false, false);
    static const uint8_t want[] = { 0x01, 0x05, 0x11, 0x10, 0x03, 0x09 };
    unsigned pos = rd(d, 0x34, 1), i = 0;

    g_assert_cmphex(rd(d, 0x06, 2) & 0x10, ==, 0x10);
    test_host_clear_log(h);
    while (pos) {
        g_assert_cmpuint(i, <, G_N_ELEMENTS(want));
        g_assert_cmphex(rd(d, pos, 1), ==, want[i++]);
        pos = rd(d, pos + 1, 1);
    }
    g_assert_cmpuint(i, ==, G_N_ELEMENTS(want));
    g_assert_cmpuint(xpf_find_cap(d, 0x13), ==, 0);   /* AF unlinked */
    g_assert_cmpuint(xpf_find_cap(d, 0x05), ==, 0x50);
    g_assert_cmpuint(h->log->len, ==, 0);             /* all emulated */
}

/*
 * hide_msi (the host cannot enable MSI/MSI-X, e.g. a stubdomain's pciback
 * refuses): both are unlinked, the rest of the list stays, and the words
 * where they were read as the host's unlisted bytes do (not emulated).
 */
static void test_caps_hide_msi(void)
{
    g_autoptr(TestHost) h = test_host_rich();
    XpfConfig c = test_host_config(h, false, true);
    g_autoptr(GError) err = NULL;
    g_autoptr(XpfDevice) d = NULL;
    static const uint8_t want[] = { 0x01, 0x10, 0x03, 0x09 };
    unsigned pos, i = 0;
    XpfMsiState m;
    XpfMsixState x;

    c.hide_msi = true;
    d = xpf_device_new(&c, &err);
    g_assert_no_error(err);
    for (pos = rd(d, 0x34, 1); pos; pos = rd(d, pos + 1, 1)) {
        g_assert_cmpuint(i, <, G_N_ELEMENTS(want));
        g_assert_cmphex(rd(d, pos, 1), ==, want[i++]);
    }
    g_assert_cmpuint(i, ==, G_N_ELEMENTS(want));
    g_assert_cmpuint(xpf_find_cap(d, 0x05), ==, 0);
    g_assert_cmpuint(xpf_find_cap(d, 0x11), ==, 0);
    xpf_msi_state(d, &m);
    xpf_msix_state(d, &x);
    g_assert_false(m.present);
    g_assert_false(x.present);
    /* a guest write where MSI was reaches nothing */
    test_host_clear_log(h);
    g_assert_cmpint(xpf_write(d, 0x52, 2, 1), ==, XPF_OK);
    g_assert_cmphex(h->cfg[0x52] & 1, ==, 0);
}

static void test_caps_loop_and_bad(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) d = NULL;

    test_host_add_cap(h, 0x40, 0x01, 8);
    test_host_add_cap(h, 0x50, 0x01, 8);       /* duplicate PM: hidden */
    test_host_add_cap(h, 0xf8, 0x10, 0x3c);    /* runs off the end */
    h->cfg[0xf9] = 0x40;                        /* loop back */
    d = mkdev(h, false, false);
    g_assert_cmphex(rd(d, 0x34, 1), ==, 0x40);
    g_assert_cmphex(rd(d, 0x41, 1), ==, 0);
    g_assert_cmpuint(xpf_find_cap(d, 0x10), ==, 0);
}

static void test_caps_none(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) d = NULL;

    test_host_add_cap(h, 0x40, 0x13, 8);       /* only an unknown one */
    d = mkdev(h, false, false);
    g_assert_cmphex(rd(d, 0x34, 1), ==, 0);
    g_assert_cmphex(rd(d, 0x06, 2) & 0x10, ==, 0);
}

static void test_caps_pm(void)
{
    g_autoptr(TestHost) h = test_host_rich();
    g_autoptr(XpfDevice) d = mkdev(h, false, false);

    /* PME support hidden, D1 support kept. */
    g_assert_cmphex(rd(d, 0x42, 2), ==, 0x0203);
    /* D3hot: emulated, reported. */
    g_assert_cmpint(xpf_write(d, 0x44, 2, 0x0003), ==, XPF_OK);
    g_assert_cmpint(last_event()->kind, ==, XPF_EV_PM_STATE);
    g_assert_cmpuint(last_event()->new_val & 3, ==, 3);
    g_assert_cmpuint(xpf_pm_state(d), ==, 3);
    g_assert_cmphex(test_host_get(h, 0x44, 2) & 3, ==, 0);
    /* D2 unsupported: state kept. D1 supported. */
    g_assert_cmpint(xpf_write(d, 0x44, 2, 0x0002), ==, XPF_OK);
    g_assert_cmpuint(xpf_pm_state(d), ==, 3);
    g_assert_cmpint(xpf_write(d, 0x44, 2, 0x0001), ==, XPF_OK);
    g_assert_cmpuint(xpf_pm_state(d), ==, 1);
    /* PME status is rw1c on the host; PME enable is virtual. */
    test_host_set(h, 0x44, 2, 0x8000);
    g_assert_cmpint(xpf_write(d, 0x44, 2, 0x8101), ==, XPF_OK);
    g_assert_cmphex(test_host_get(h, 0x44, 2), ==, 0x0000);
    g_assert_cmphex(rd(d, 0x44, 2), ==, 0x0101);
}

static void test_caps_vpd(void)
{
    g_autoptr(TestHost) h = test_host_rich();
    g_autoptr(XpfDevice) d = mkdev(h, false, false);

    g_assert_cmpint(xpf_write(d, 0xc2, 2, 0x0010), ==, XPF_OK);
    g_assert_cmphex(test_host_get(h, 0xc2, 2), ==, 0x0010);
    g_assert_cmpint(xpf_write(d, 0xc2, 2, 0x8020), ==, XPF_E_REFUSED);
    g_assert_cmphex(test_host_get(h, 0xc2, 2), ==, 0x0010);
    g_assert_cmpuint(rec.dec[XPF_DEC_REFUSED], ==, 1);
    /* A dword write at the header refuses the flag without a host write. */
    test_host_clear_log(h);
    g_assert_cmpint(xpf_write(d, 0xc0, 4, 0x80300000), ==, XPF_E_REFUSED);
    g_assert_cmpuint(test_host_writes(h), ==, 0);
    test_host_set(h, 0xc4, 4, 0x11223344);
    g_assert_cmpint(xpf_write(d, 0xc4, 4, 0), ==, XPF_OK);
    g_assert_cmphex(rd(d, 0xc4, 4), ==, 0x11223344);
    /* Write requests stay refused when permissive, as in pciback. */
    xpf_set_policy(d, &(XpfPolicy) { .permissive = true });
    g_assert_cmpint(xpf_write(d, 0xc2, 2, 0x8020), ==, XPF_E_REFUSED);
    g_assert_cmphex(test_host_get(h, 0xc2, 2), ==, 0x0010);
}

static void test_caps_msi(void)
{
    g_autoptr(TestHost) h = test_host_rich();
    g_autoptr(XpfDevice) d = mkdev(h, false, true);
    XpfMsiState ms;

    /* Address, data and mask are emulated, the host never sees them. */
    g_assert_cmpint(xpf_write(d, 0x54, 4, 0xfee00003), ==, XPF_OK);
    g_assert_cmpint(last_event()->kind, ==, XPF_EV_MSI_ADDR);
    g_assert_cmpint(xpf_write(d, 0x58, 4, 0x1), ==, XPF_OK);
    g_assert_cmpint(xpf_write(d, 0x5c, 2, 0x4041), ==, XPF_OK);
    g_assert_cmpint(last_event()->kind, ==, XPF_EV_MSI_DATA);
    g_assert_cmpint(xpf_write(d, 0x60, 4, ~0u), ==, XPF_OK);
    g_assert_cmpint(last_event()->kind, ==, XPF_EV_MSI_MASK);
    /* Multi-message: 4 capable; asking 32 grants 4. */
    g_assert_cmpint(xpf_write(d, 0x52, 2, 0x0051), ==, XPF_OK);
    xpf_msi_state(d, &ms);
    g_assert_true(ms.present && ms.enabled && ms.is64 && ms.per_vector_mask);
    g_assert_cmpuint(ms.vectors_capable, ==, 4);
    g_assert_cmpuint(ms.vectors_enabled, ==, 4);
    g_assert_cmphex(ms.addr, ==, 0x1fee00000ull);
    g_assert_cmphex(ms.data, ==, 0x4041);
    g_assert_cmphex(ms.mask, ==, 0xf);
    g_assert_cmphex(rd(d, 0x52, 2), ==, 0x01a5);
    g_assert_cmpint(last_event()->kind, ==, XPF_EV_MSI_CTRL);
    g_assert_cmpuint(test_host_writes(h), ==, 0);
    g_assert_cmphex(test_host_get(h, 0x54, 4), ==, 0);
    g_assert_cmpint(xpf_interrupt_type(d), ==, XPF_INTR_MSI);
}

/* A 32-bit MSI capability without per-vector masking. */
static void test_caps_msi32(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) d = NULL;
    XpfMsiState ms;

    test_host_add_cap(h, 0x40, 0x05, 10);
    test_host_set(h, 0x42, 2, 0x0000);
    test_host_add_cap(h, 0x50, 0x13, 8);   /* right after: no overlap */
    d = mkdev(h, false, true);
    g_assert_cmpint(xpf_write(d, 0x44, 4, 0xfee01000), ==, XPF_OK);
    g_assert_cmpint(xpf_write(d, 0x48, 4, 0xffff4321), ==, XPF_OK);
    xpf_msi_state(d, &ms);
    g_assert_false(ms.is64);
    g_assert_cmphex(ms.addr, ==, 0xfee01000);
    g_assert_cmphex(ms.data, ==, 0x4321);
    g_assert_cmphex(rd(d, 0x48, 4), ==, 0x4321);   /* ext data reserved */
    g_assert_cmpuint(test_host_writes(h), ==, 0);
}

/* XSA-128: writes spanning fields never reach the host's MSI registers. */
static void test_xsa128_spanning(void)
{
    g_autoptr(TestHost) h = test_host_rich();
    g_autoptr(XpfDevice) d = mkdev(h, true, true);
    unsigned off;

    test_host_set(h, 0x54, 4, 0xfee0000c);       /* Xen's programming */
    test_host_set(h, 0x5c, 2, 0x00aa);
    test_host_clear_log(h);
    /* Permissive: no interrupt rule refuses, and MSI stays virtual. */
    for (off = 0x50; off < 0x68; off += 2) {
        g_assert_cmpint(xpf_write(d, off & ~3u, 4, 0xdeadbeef), ==, XPF_OK);
        g_assert_cmpint(xpf_write(d, off, 2, 0x5555), ==, XPF_OK);
    }
    g_assert_cmpuint(test_host_writes(h), ==, 0);
    g_assert_cmphex(test_host_get(h, 0x54, 4), ==, 0xfee0000c);
    g_assert_cmphex(test_host_get(h, 0x58, 4), ==, 0);
    g_assert_cmphex(test_host_get(h, 0x5c, 2), ==, 0x00aa);
    g_assert_cmphex(test_host_get(h, 0x52, 2), ==, 0x0184);
    g_assert_cmphex(test_host_get(h, 0x60, 4), ==, 0);
}

/* XSA-129: per-vector mask bits are emulated, reserved ones read-only. */
static void test_xsa129_mask(void)
{
    g_autoptr(TestHost) h = test_host_rich();
    g_autoptr(XpfDevice) d = mkdev(h, true, true);

    g_assert_cmpint(xpf_write(d, 0x60, 4, 0xffffffff), ==, XPF_OK);
    g_assert_cmphex(rd(d, 0x60, 4), ==, 0xf);
    g_assert_cmphex(test_host_get(h, 0x60, 4), ==, 0);
    g_assert_cmpint(xpf_write(d, 0x60, 1, 0x05), ==, XPF_OK);
    g_assert_cmphex(rd(d, 0x60, 4), ==, 0x5);
    g_assert_cmpuint(test_host_writes(h), ==, 0);
    /* Pending bits come from the host, read-only. */
    test_host_set(h, 0x64, 4, 0x2);
    g_assert_cmpint(xpf_write(d, 0x64, 4, 0), ==, XPF_OK);
    g_assert_cmphex(rd(d, 0x64, 4), ==, 0x2);
}

static void test_caps_msix(void)
{
    g_autoptr(TestHost) h = test_host_rich();
    g_autoptr(XpfDevice) d = mkdev(h, false, true);
    XpfMsixState xs;

    xpf_msix_state(d, &xs);
    g_assert_true(xs.present && !xs.enabled);
    g_assert_cmpuint(xs.table_size, ==, 8);
    g_assert_cmpuint(xs.table_bar, ==, 0);
    g_assert_cmphex(xs.pba_offset, ==, 0x800);
    /* Table and PBA location are read-only. */
    g_assert_cmpint(xpf_write(d, 0x74, 4, 0x1003), ==, XPF_OK);
    g_assert_cmpint(xpf_write(d, 0x78, 4, 0x1003), ==, XPF_OK);
    g_assert_cmpint(xpf_write(d, 0x72, 2, 0x07ff), ==, XPF_OK);
    g_assert_cmphex(rd(d, 0x74, 4), ==, 0);
    g_assert_cmphex(rd(d, 0x78, 4), ==, 0x800);
    g_assert_cmphex(rd(d, 0x72, 2), ==, 0x0007);
    /* Enable with the function masked, then unmask. */
    g_assert_cmpint(xpf_write(d, 0x72, 2, 0xc000), ==, XPF_OK);
    xpf_msix_state(d, &xs);
    g_assert_true(xs.enabled && xs.masked);
    g_assert_cmpint(last_event()->kind, ==, XPF_EV_MSIX_CTRL);
    g_assert_cmpint(xpf_write(d, 0x73, 1, 0x80), ==, XPF_OK);
    xpf_msix_state(d, &xs);
    g_assert_true(xs.enabled && !xs.masked);
    g_assert_cmpint(xpf_interrupt_type(d), ==, XPF_INTR_MSIX);
    g_assert_cmpuint(test_host_writes(h), ==, 0);
}

static void test_caps_pcie(void)
{
    g_autoptr(TestHost) h = test_host_rich();
    g_autoptr(XpfDevice) d = mkdev(h, false, false);

    /* MRRS reaches the host, MPS and FLR do not. */
    g_assert_cmpint(xpf_write(d, 0x88, 2, 0x8000 | 0x5000 | 0x00e0), ==,
                    XPF_OK);
    g_assert_cmphex(test_host_get(h, 0x88, 2), ==, 0x5000);
    g_assert_cmphex(rd(d, 0x88, 2), ==, 0x50e0);
    /* Device status rw1c. */
    test_host_set(h, 0x8a, 2, 0x0025);
    g_assert_cmpint(xpf_write(d, 0x8a, 2, 0x0001), ==, XPF_OK);
    g_assert_cmphex(test_host_get(h, 0x8a, 2), ==, 0x0024);
    /* Link control is virtual: link disable never reaches the host. */
    g_assert_cmpint(xpf_write(d, 0x90, 2, 0x0013), ==, XPF_OK);
    g_assert_cmphex(test_host_get(h, 0x90, 2), ==, 0);
    g_assert_cmphex(rd(d, 0x90, 2), ==, 0x0013);
    /* Device control 2 is virtual (v2 capability). */
    g_assert_cmpint(xpf_write(d, 0xa8, 2, 0x0020), ==, XPF_OK);
    g_assert_cmphex(test_host_get(h, 0xa8, 2), ==, 0);
}

static void test_caps_vendor_readonly(void)
{
    g_autoptr(TestHost) h = test_host_rich();
    g_autoptr(XpfDevice) d = mkdev(h, true, true);

    test_host_set(h, 0xd4, 4, 0x01020304);
    g_assert_cmpint(xpf_write(d, 0xd4, 4, 0), ==, XPF_OK);
    g_assert_cmpint(xpf_write(d, 0xd2, 1, 0), ==, XPF_OK);
    g_assert_cmphex(rd(d, 0xd4, 4), ==, 0x01020304);
    g_assert_cmphex(rd(d, 0xd2, 1), ==, 0x10);
    g_assert_cmpuint(test_host_writes(h), ==, 0);
}

/* ---- extended capabilities ---- */

static void test_extcaps_hide(void)
{
    g_autoptr(TestHost) h = test_host_rich();
    g_autoptr(XpfDevice) d = mkdev(h, false, false);
    uint32_t hdr;

    /* ARI at 0x100 hidden: a null header links to AER; DSN hidden. */
    hdr = rd(d, 0x100, 4);
    g_assert_cmphex(hdr & 0xffff, ==, 0);
    g_assert_cmphex(hdr >> 20, ==, 0x140);
    hdr = rd(d, 0x140, 4);
    g_assert_cmphex(hdr, ==, 0x00020001);
    g_assert_cmpuint(xpf_find_extcap(d, 0x0001), ==, 0x140);
    g_assert_cmpuint(xpf_find_extcap(d, 0x0003), ==, 0);
    g_assert_cmpuint(h->log->len, ==, 0);
}

static void test_extcaps_readonly(void)
{
    g_autoptr(TestHost) h = test_host_rich();
    g_autoptr(XpfDevice) d = mkdev_full(h, false, false,
                                        XPF_EXTCAP_READONLY);

    g_assert_cmphex(rd(d, 0x100, 4), ==, 0x1401000e);
    g_assert_cmphex(rd(d, 0x140, 4), ==, 0x20020001);
    g_assert_cmphex(rd(d, 0x200, 4), ==, 0x00010003);
    g_assert_cmpint(xpf_write(d, 0x204, 4, ~0u), ==, XPF_OK);
    g_assert_cmphex(test_host_get(h, 0x204, 4), ==, 0);
}

static void test_extcaps_aer(void)
{
    g_autoptr(TestHost) h = test_host_rich();
    g_autoptr(XpfDevice) d = mkdev(h, false, false);

    test_host_set(h, 0x144, 4, 0x00101000);
    test_host_set(h, 0x148, 4, 0x00400000);
    g_assert_cmpint(xpf_write(d, 0x144, 4, 0x00001000), ==, XPF_OK);
    g_assert_cmphex(test_host_get(h, 0x144, 4), ==, 0x00100000);
    /* Masks are virtual. */
    g_assert_cmpint(xpf_write(d, 0x148, 4, 0), ==, XPF_OK);
    g_assert_cmphex(test_host_get(h, 0x148, 4), ==, 0x00400000);
    g_assert_cmphex(rd(d, 0x148, 4), ==, 0);
    /* Header log read-only. */
    test_host_set(h, 0x15c, 4, 0xabcd);
    g_assert_cmpint(xpf_write(d, 0x15c, 4, 0), ==, XPF_OK);
    g_assert_cmphex(rd(d, 0x15c, 4), ==, 0xabcd);
}

/*
 * Read-only extended capabilities: a second AER structure is linked like
 * any other capability (read-only), not hidden; the first keeps its rules.
 */
static void test_extcaps_second_aer(void)
{
    g_autoptr(TestHost) h = test_host_rich();
    g_autoptr(XpfDevice) d = NULL;

    test_host_add_extcap(h, 0x300, 0x0001, 2);           /* second AER */
    test_host_set(h, 0x304, 4, 0x00100000);
    d = mkdev_full(h, false, false, XPF_EXTCAP_READONLY);
    g_assert_cmphex(rd(d, 0x200, 4), ==, 0x30010003);    /* DSN -> 0x300 */
    g_assert_cmphex(rd(d, 0x300, 4), ==, 0x00020001);
    g_assert_cmpuint(xpf_find_extcap(d, 1), ==, 0x140);
    /* Read-only: not even its status bits are cleared on the host. */
    g_assert_cmpint(xpf_write(d, 0x304, 4, 0x00100000), ==, XPF_OK);
    g_assert_cmphex(test_host_get(h, 0x304, 4), ==, 0x00100000);
    /* Hidden in the default mode, as every other one. */
    g_clear_pointer(&d, xpf_device_free);
    d = mkdev(h, false, false);
    g_assert_cmphex(rd(d, 0x140, 4), ==, 0x00020001);
}

/*
 * A version 1 PCI Express capability of a Root Complex Event Collector
 * (port type 0xa) has Root Control, Capabilities and Status at cap+0x1c
 * (PCIe 1.1 7.8): listed and virtual, so even a permissive guest's write
 * does not reach them; the link and slot registers it lacks stay unlisted.
 */
static void test_caps_pcie_v1_rcec(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) d = NULL;

    test_host_add_cap(h, 0x40, 0x10, 0x24);
    test_host_set(h, 0x42, 2, 0x00a1);                   /* v1, RCEC */
    d = mkdev(h, true, false);
    test_host_clear_log(h);
    g_assert_cmpint(xpf_write(d, 0x5c, 2, 0x001f), ==, XPF_OK);
    g_assert_cmphex(test_host_get(h, 0x5c, 2), ==, 0);
    g_assert_cmpint(xpf_write(d, 0x60, 4, 0x00030000), ==, XPF_OK);
    g_assert_cmpuint(test_host_writes(h), ==, 0);
    g_assert_nonnull(xpf_find_reg(d, 0x5c));
    g_assert_null(xpf_find_reg(d, 0x4c));                /* no link regs */
}

static void test_extcaps_none(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) d = mkdev(h, false, false);

    g_assert_cmphex(rd(d, 0x100, 4), ==, 0);
    g_assert_cmpuint(xpf_find_extcap(d, 1), ==, 0);
}

/* ---- policies ---- */

/* XSA-131: unlisted registers are read-only unless permissive. */
static void test_xsa131_unlisted(void)
{
    g_autoptr(TestHost) h = test_host_rich();
    g_autoptr(XpfDevice) d = mkdev(h, false, false);
    XpfPolicy p = { .permissive = true };

    g_assert_cmpint(xpf_write(d, 0x4c, 4, 0xffffffff), ==, XPF_OK);
    g_assert_cmpint(xpf_write(d, 0x300, 4, 0xffffffff), ==, XPF_OK);
    g_assert_cmpuint(test_host_writes(h), ==, 0);
    g_assert_cmpuint(rec.dec[XPF_DEC_DROPPED], ==, 2);
    g_assert_cmpstr(rec.last_why, ==, "unlisted register");
    xpf_set_policy(d, &p);
    g_assert_true(xpf_get_policy(d).permissive);
    g_assert_cmpint(xpf_write(d, 0x4c, 4, 0x12345678), ==, XPF_OK);
    g_assert_cmphex(test_host_get(h, 0x4c, 4), ==, 0x12345678);
    g_assert_cmpuint(rec.dec[XPF_DEC_ALLOWED], ==, 1);
}

static void test_intr_control_default_refused(void)
{
    g_autoptr(TestHost) h = test_host_rich();
    g_autoptr(XpfDevice) d = mkdev(h, false, false);

    g_assert_cmpint(xpf_write(d, 0x52, 2, 0x0001), ==, XPF_E_REFUSED);
    g_assert_cmpint(xpf_write(d, 0x72, 2, 0x8000), ==, XPF_E_REFUSED);
    g_assert_cmpint(xpf_interrupt_type(d), ==, XPF_INTR_INTX);
    g_assert_cmpuint(rec.dec[XPF_DEC_REFUSED], ==, 2);
    g_assert_cmpuint(rec.events->len, ==, 0);
}

/*
 * The knob a denied write names (pciback's semantics, filter.rst): set, it
 * lets the same write through; a denial no setting lifts names none.
 */
static XpfKnob last_knob(void)
{
    return xpf_denied_knob(rec.last_dec, rec.last_why);
}

static void test_denied_knob(void)
{
    g_autoptr(TestHost) h = test_host_rich();
    g_autoptr(XpfDevice) d = mkdev(h, false, false);
    XpfPolicy intr = { .allow_interrupt_control = true };
    XpfPolicy perm = { .permissive = true, .allow_interrupt_control = true };

    /* unlisted bytes: a quirk of them (or permissive, test_xsa131) */
    g_assert_cmpint(xpf_write(d, 0x4c, 4, 0x12345678), ==, XPF_OK);
    g_assert_cmpint(rec.last_dec, ==, XPF_DEC_DROPPED);
    g_assert_cmpint(last_knob(), ==, XPF_KNOB_PERMISSIVE_OR_QUIRK);
    g_assert_true(xpf_add_quirk(d, 0x4c, 4, 0xffffffff, NULL));
    g_assert_cmpint(xpf_write(d, 0x4c, 4, 0x12345678), ==, XPF_OK);
    g_assert_cmpint(rec.last_dec, ==, XPF_DEC_ALLOWED);
    g_assert_cmphex(test_host_get(h, 0x4c, 4), ==, 0x12345678);
    g_assert_cmpint(last_knob(), ==, XPF_KNOB_NONE);
    /* MSI enable: allow_interrupt_control */
    g_assert_cmpint(xpf_write(d, 0x52, 2, 0x0001), ==, XPF_E_REFUSED);
    g_assert_cmpint(last_knob(), ==, XPF_KNOB_INTR_CONTROL);
    xpf_set_policy(d, &intr);
    g_assert_cmpint(xpf_write(d, 0x52, 2, 0x0001), ==, XPF_OK);
    /* MSI-X on top of MSI: the one-type rule, which permissive lifts */
    g_assert_cmpint(xpf_write(d, 0x72, 2, 0x8000), ==, XPF_E_REFUSED);
    g_assert_cmpint(last_knob(), ==, XPF_KNOB_PERMISSIVE);
    xpf_set_policy(d, &perm);
    g_assert_cmpint(xpf_write(d, 0x72, 2, 0x8000), ==, XPF_OK);
    /* read-only by rule (vendor ID), even when permissive; a bad access */
    g_assert_cmpint(xpf_write(d, 0x00, 2, 0x1234), ==, XPF_OK);
    g_assert_cmpint(rec.last_dec, ==, XPF_DEC_DROPPED);
    g_assert_cmpint(last_knob(), ==, XPF_KNOB_NONE);
    g_assert_cmphex(rd(d, 0x00, 2), !=, 0x1234);
    g_assert_cmpint(xpf_write(d, 0x41, 2, 0x1234), ==, XPF_E_ACCESS);
    g_assert_cmpint(last_knob(), ==, XPF_KNOB_NONE);
}

/* Never two interrupt types at once under allow_interrupt_control. */
static void test_intr_control_exclusive(void)
{
    g_autoptr(TestHost) h = test_host_rich();
    g_autoptr(XpfDevice) d = mkdev(h, false, true);
    XpfPolicy perm = { .permissive = true, .allow_interrupt_control = true };

    /* MSI may be enabled while INTx is still on (Linux's order). */
    g_assert_cmpint(xpf_write(d, 0x52, 2, 0x0001), ==, XPF_OK);
    g_assert_cmpint(xpf_interrupt_type(d), ==, XPF_INTR_MSI);
    /* MSI-X on top: refused. INTx back on: refused. */
    g_assert_cmpint(xpf_write(d, 0x72, 2, 0x8000), ==, XPF_E_REFUSED);
    g_assert_cmpint(xpf_write(d, 0x04, 2, 0x0407), ==, XPF_OK);
    g_assert_cmpint(xpf_write(d, 0x04, 2, 0x0007), ==, XPF_E_REFUSED);
    g_assert_cmphex(rd(d, 0x04, 2), ==, 0x0407);
    g_assert_cmpint(xpf_interrupt_type(d), ==, XPF_INTR_MSI);
    /* MSI off, then MSI-X on, then MSI refused. */
    g_assert_cmpint(xpf_write(d, 0x52, 2, 0x0000), ==, XPF_OK);
    g_assert_cmpint(xpf_write(d, 0x72, 2, 0xc000), ==, XPF_OK);
    g_assert_cmpint(xpf_write(d, 0x52, 2, 0x0001), ==, XPF_E_REFUSED);
    g_assert_cmpint(xpf_interrupt_type(d), ==, XPF_INTR_MSIX);
    /* Permissive lifts the rule, as in pciback. */
    xpf_set_policy(d, &perm);
    g_assert_cmpint(xpf_write(d, 0x52, 2, 0x0001), ==, XPF_OK);
    g_assert_cmpint(xpf_interrupt_type(d), ==, XPF_INTR_MSI | XPF_INTR_MSIX);
}

static void test_privileged_setters(void)
{
    g_autoptr(TestHost) h = test_host_rich();
    g_autoptr(XpfDevice) d = mkdev(h, false, false);
    XpfMsiState ms;

    /* The path's own enable (PV enable_msi op) bypasses the policy. */
    g_assert_true(xpf_set_emulated(d, 0x52, 0x0001));
    xpf_msi_state(d, &ms);
    g_assert_true(ms.enabled);
    g_assert_false(xpf_set_emulated(d, 0x53, 0));
    g_assert_true(xpf_set_emulated(d, 0x3c, 0x55));
    g_assert_cmphex(rd(d, 0x3c, 1), ==, 0x55);
    g_assert_cmpuint(rec.events->len, ==, 0);
}

static void test_decisions_counted(void)
{
    g_autoptr(TestHost) h = test_host_rich();
    g_autoptr(XpfDevice) d = mkdev(h, false, false);
    XpfStats st;

    xpf_write(d, 0x88, 2, 0x5000);      /* allowed (PCIe MRRS) */
    xpf_write(d, 0x3c, 1, 0x05);        /* emulated */
    xpf_write(d, 0x00, 4, 0);           /* dropped (read-only) */
    xpf_write(d, 0x52, 2, 1);           /* refused */
    xpf_get_stats(d, &st);
    g_assert_cmpuint(st.decisions[XPF_DEC_ALLOWED], ==, 1);
    g_assert_cmpuint(st.decisions[XPF_DEC_EMULATED], ==, 1);
    g_assert_cmpuint(st.decisions[XPF_DEC_DROPPED], ==, 2);
    g_assert_cmpuint(st.decisions[XPF_DEC_REFUSED], ==, 1);
    g_assert_cmpstr(xpf_decision_name(XPF_DEC_REFUSED), ==, "refused");
    g_assert_cmpstr(xpf_event_name(XPF_EV_MSIX_CTRL), ==, "msix-ctrl");
}

static void test_sysfs_resource(void)
{
    XpfBar b[XPF_NUM_BARS + 1];
    g_autoptr(GError) err = NULL;
    const char *ok =
        "0x00000000fe000000 0x00000000fe000fff 0x0000000000040200\n"
        "0x0000000800000000 0x0000000bffffffff 0x000000000014220c\n"
        "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
        "0x000000000000c000 0x000000000000c01f 0x0000000000040101\n"
        "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
        "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
        "0x00000000fd000000 0x00000000fd00ffff 0x0000000000046200\n";

    g_assert_true(xpf_parse_sysfs_resource(ok, b, &err));
    g_assert_cmphex(b[0].size, ==, 0x1000);
    g_assert_true(b[1].mem64 && b[1].prefetch);
    g_assert_cmphex(b[1].size, ==, 0x400000000ull);
    g_assert_true(b[3].io);
    g_assert_cmphex(b[XPF_ROM_SLOT].size, ==, 0x10000);
    g_assert_false(xpf_parse_sysfs_resource("0x1 0x2\n", b, &err));
    g_clear_error(&err);
    g_assert_false(xpf_parse_sysfs_resource("", b, &err));
    g_clear_error(&err);
    g_assert_false(xpf_parse_sysfs_resource(
        "0x2000 0x1000 0x200\n0 0 0\n0 0 0\n0 0 0\n0 0 0\n0 0 0\n0 0 0\n",
        b, &err));
}

/*
 * An SR-IOV VF reads vendor and device 0xffff and BARs 0; the view gets
 * the kernel's IDs and each BAR as pciback's bar_init() builds it: the
 * resource's start with its type bits (I/O 0x1, 64-bit 0x4, prefetchable
 * 0x8), a 64-bit BAR's upper 32 bits in the next register.
 */
static void test_virtfn_view(void)
{
    uint8_t cfg[XPF_CFG_SIZE], before[XPF_CFG_SIZE];
    XpfBar b[XPF_NUM_BARS] = {
        [0] = { .addr = 0x1c0104000ull, .size = 0x4000, .mem64 = true },
        [2] = { .addr = 0xfe000000, .size = 0x1000, .prefetch = true },
        [3] = { .addr = 0xc000, .size = 0x20, .io = true },
        [4] = { .addr = 0x800000000ull, .size = 0x100000, .mem64 = true,
                .prefetch = true },
    };
    static const uint32_t want[XPF_NUM_BARS] = {
        0xc0104004, 0x00000001, 0xfe000008, 0x0000c001, 0x0000000c,
        0x00000008,
    };
    unsigned i;

    memset(cfg, 0x5a, sizeof(cfg));
    memset(cfg, 0xff, 4);
    memset(cfg + 0x10, 0, 0x18);
    cfg[0x3d] = 1;
    memcpy(before, cfg, sizeof(cfg));
    xpf_virtfn_view(cfg, 0x8086, 0x10ca, b);
    g_assert_cmphex(cfg[0] | cfg[1] << 8, ==, 0x8086);
    g_assert_cmphex(cfg[2] | cfg[3] << 8, ==, 0x10ca);
    for (i = 0; i < XPF_NUM_BARS; i++) {
        uint8_t *p = cfg + 0x10 + 4 * i;

        g_assert_cmphex(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24,
                        ==, want[i]);
    }
    g_assert_cmpuint(cfg[0x3d], ==, 0);
    /* Nothing else changes (the ROM BAR, which a VF does not have, too). */
    memcpy(cfg, before, 4);
    memcpy(cfg + 0x10, before + 0x10, 0x18);
    cfg[0x3d] = before[0x3d];
    g_assert_cmpmem(cfg, sizeof(cfg), before, sizeof(before));
}

/*
 * The engine over QEMU's NVMe VF (nvme-vf-rp): the guest sees the PF's
 * vendor (0x1b36) and the VF Device ID of the PF's SR-IOV capability
 * (0x0010, fixture nvme-sriov-rp at 0x13a), its 16 KiB 64-bit BAR 0 where
 * the kernel put it (resource), and no interrupt pin.
 */
static void test_virtfn_fixture(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(TestHost) h = test_host_load("nvme-vf-rp", &err);
    g_autoptr(XpfDevice) d = NULL;
    uint32_t v;

    g_assert_no_error(err);
    d = mkdev(h, false, false);
    g_assert_cmphex(rd(d, 0x00, 4), ==, 0x00101b36);
    g_assert_cmphex(rd(d, 0x10, 4), ==, 0xc0104004);
    g_assert_cmphex(rd(d, 0x14, 4), ==, 0);
    g_assert_cmpint(xpf_write(d, 0x10, 4, 0xffffffff), ==, XPF_OK);
    g_assert_cmpint(xpf_write(d, 0x14, 4, 0xffffffff), ==, XPF_OK);
    g_assert_cmphex(rd(d, 0x10, 4), ==, 0xffffc004);
    g_assert_cmphex(rd(d, 0x14, 4), ==, 0xffffffff);
    g_assert_cmpint(xpf_read(d, 0x3d, 1, &v), ==, XPF_OK);
    g_assert_cmpuint(v, ==, 0);
}

/* ---- quirk lists ---- */

/* Whether a guest dword write of all ones at @off reaches the host. */
static bool quirk_passes(TestHost *h, XpfDevice *d, unsigned off)
{
    test_host_set(h, off, 4, 0);
    test_host_clear_log(h);
    g_assert_cmpint(xpf_write(d, off, 4, 0xffffffff), ==, XPF_OK);
    return test_host_writes(h) > 0;
}

/*
 * Replacing or clearing quirks given with 0x prefixes removes the old ones
 * (the QEMU-side remover this replaces parsed "0xa0" as invalid, reported
 * success and left the old quirk active).
 */
static void test_quirk_list_replace(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) d = mkdev(h, false, false);
    g_autoptr(GError) err = NULL;
    g_autofree char *list = NULL;

    g_assert_true(xpf_set_quirks(d, "0xa0:4:0xffffffff", &err));
    g_assert_no_error(err);
    g_assert_true(quirk_passes(h, d, 0xa0));
    /* Cleared: the old quirk no longer reaches the host. */
    g_assert_true(xpf_set_quirks(d, "", &err));
    g_assert_no_error(err);
    g_assert_false(quirk_passes(h, d, 0xa0));
    g_assert_null(xpf_find_reg(d, 0xa0));
    /* Replaced by another one. */
    g_assert_true(xpf_set_quirks(d, "0xa0:4:0xffffffff", NULL));
    g_assert_true(xpf_set_quirks(d, " 0xA4:0x4:0xFFFF ; ", &err));
    g_assert_no_error(err);
    g_assert_false(quirk_passes(h, d, 0xa0));
    g_assert_true(quirk_passes(h, d, 0xa4));
    g_assert_cmphex(test_host_get(h, 0xa4, 4), ==, 0xffff);
    list = xpf_get_quirks(d);
    g_assert_cmpstr(list, ==, "0xa4:4:0xffff");
    /* NULL clears too. */
    g_assert_true(xpf_set_quirks(d, NULL, NULL));
    g_assert_false(quirk_passes(h, d, 0xa4));
    g_free(list);
    list = xpf_get_quirks(d);
    g_assert_cmpstr(list, ==, "");
}

/* A bad list changes nothing and names the refused entry. */
static void test_quirk_list_all_or_nothing(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) d = mkdev(h, false, false);
    static const struct {
        const char *list, *entry;
    } bad[] = {
        { "0xa0:4:1,0x04:2:0xffff", "0x04:2:0xffff" },  /* command */
        { "0xa0:4:1;0xa0:1:1", "0xa0:1:1" },            /* itself */
        { "0xa0:3:1", "0xa0:3:1" },
        { "0xa2:4:1", "0xa2:4:1" },
        { "0xa0:2:0x10000", "0xa0:2:0x10000" },
        { "0x1000:4:1", "0x1000:4:1" },
        { "0xa0:4:0x100000000", "0xa0:4:0x100000000" },
        { "0xffffffffffffffffff:1:1", "0xffffffffffffffffff:1:1" },
        { "0xa0:4", "0xa0:4" },
        { "0xa0:4:1:1", "0xa0:4:1:1" },
        { "-0xa0:4:1", "-0xa0:4:1" },
        { "0xa0:+4:1", "0xa0:+4:1" },
        { "0x:4:1", "0x:4:1" },
        { "0xa0 0:4:1", "0xa0 0:4:1" },
        { "0xa0:4:1, junk", "junk" },
    };
    g_autofree char *before = NULL;
    size_t i;

    g_assert_true(xpf_set_quirks(d, "0xb0:2:0x00ff,b4:1:3", NULL));
    before = xpf_get_quirks(d);
    g_assert_cmpstr(before, ==, "0xb0:2:0xff,0xb4:1:0x3");
    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) err = NULL;
        g_autofree char *after = NULL;

        g_test_message("bad quirk list '%s'", bad[i].list);
        g_assert_false(xpf_set_quirks(d, bad[i].list, &err));
        g_assert_error(err, XPF_ERROR, 0);
        g_assert_nonnull(strstr(err->message, bad[i].entry));
        after = xpf_get_quirks(d);
        g_assert_cmpstr(after, ==, before);
    }
    /* The installed quirks still work. */
    test_host_clear_log(h);
    g_assert_cmpint(xpf_write(d, 0xb0, 2, 0xffff), ==, XPF_OK);
    g_assert_cmphex(test_host_get(h, 0xb0, 2), ==, 0x00ff);
    /* The old quirks go first: the new list may reuse their offsets. */
    g_assert_true(xpf_set_quirks(d, "0xb0:4:0xffff0000", NULL));
    g_assert_null(xpf_find_reg(d, 0xb4));
}

/* ---- host writes ---- */

/* Whether a host write in the log touches byte @b. */
static bool host_wrote(const TestHost *h, unsigned b)
{
    unsigned i;

    for (i = 0; i < h->log->len; i++) {
        const TestHostOp *op = &g_array_index(h->log, TestHostOp, i);

        if (op->write && op->off <= b && b < op->off + op->size) {
            return true;
        }
    }
    return false;
}

/*
 * A guest write covering registers with unlisted (or dropped) bytes between
 * or after them never writes those bytes to the host: a write-1-to-clear
 * bit there stays set.
 */
static void test_write_unlisted_gaps(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) d = mkdev(h, false, false);
    static const unsigned w1c[] = { 0x41, 0x43, 0x4b, 0x51 };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(w1c); i++) {
        h->w1c[w1c[i]] = 0xff;
        h->cfg[w1c[i]] = 0x80;
    }
    g_assert_true(xpf_set_quirks(d, "0x40:1:0xff,0x42:1:0xff,"
                                 "0x48:2:0xffff,0x4a:1:0xff,"
                                 "0x50:1:0xff,0x51:1:0,0x52:2:0xffff",
                                 NULL));
    /* Two quirks with an unlisted byte between them and one after. */
    test_host_clear_log(h);
    g_assert_cmpint(xpf_write(d, 0x40, 4, 0xffffffff), ==, XPF_OK);
    g_assert_false(host_wrote(h, 0x41));
    g_assert_false(host_wrote(h, 0x43));
    g_assert_cmphex(test_host_get(h, 0x40, 4), ==, 0x80ff80ff);
    /* A 3-byte run of registers, an unlisted byte after it. */
    test_host_clear_log(h);
    g_assert_cmpint(xpf_write(d, 0x48, 4, 0xffffffff), ==, XPF_OK);
    g_assert_false(host_wrote(h, 0x4b));
    g_assert_cmphex(test_host_get(h, 0x48, 4), ==, 0x80ffffff);
    /* A register that drops the write, between two that pass it. */
    test_host_clear_log(h);
    g_assert_cmpint(xpf_write(d, 0x50, 4, 0xffffffff), ==, XPF_OK);
    g_assert_false(host_wrote(h, 0x51));
    g_assert_cmphex(test_host_get(h, 0x50, 4), ==, 0xffff80ff);
    /* Registers without gaps still cost one host write. */
    test_host_clear_log(h);
    g_assert_cmpint(xpf_write(d, 0x48, 2, 0), ==, XPF_OK);
    g_assert_cmpuint(test_host_writes(h), ==, 1);
    /* Permissive: unlisted bytes are the guest's to write. */
    xpf_set_policy(d, &(XpfPolicy) { .permissive = true });
    test_host_clear_log(h);
    g_assert_cmpint(xpf_write(d, 0x40, 4, 0x00ff00ff), ==, XPF_OK);
    g_assert_true(host_wrote(h, 0x41));
    g_assert_cmpuint(test_host_writes(h), ==, 1);
    g_assert_cmphex(test_host_get(h, 0x40, 4), ==, 0x80ff80ff);
}

/* ---- registered descriptors ---- */

static bool desc_equal(const XpfRegDesc *a, const XpfRegDesc *b)
{
    return a->offset == b->offset && a->size == b->size && a->ro == b->ro &&
           a->rw1c == b->rw1c && a->rsvdp == b->rsvdp &&
           a->rsvdz == b->rsvdz && a->emu == b->emu && a->init == b->init &&
           a->read == b->read && a->write == b->write &&
           a->event == b->event && a->index == b->index &&
           a->name == b->name;
}

/* Copies of the descriptors of every register, by start offset. */
static GArray *desc_snapshot(const XpfDevice *d)
{
    GArray *a = g_array_new(false, true, sizeof(XpfRegDesc));
    unsigned off;

    for (off = 0; off < XPF_CFG_SIZE; off++) {
        const XpfRegDesc *r = xpf_find_reg(d, off);

        if (r && r->offset == off) {
            g_array_append_vals(a, r, 1);
        }
    }
    return a;
}

static void assert_descs_unchanged(const XpfDevice *d, const GArray *before)
{
    g_autoptr(GArray) now = desc_snapshot(d);
    unsigned i;

    g_assert_cmpuint(now->len, ==, before->len);
    for (i = 0; i < now->len; i++) {
        const XpfRegDesc *a = &g_array_index(before, XpfRegDesc, i);
        const XpfRegDesc *b = &g_array_index(now, XpfRegDesc, i);

        if (!desc_equal(a, b)) {
            g_error("register %s at 0x%x changed after registration",
                    a->name, a->offset);
        }
    }
}

/*
 * Registered descriptors never change: the policy and the guest act through
 * the rules, not by editing masks.
 */
static void test_descriptors_immutable(void)
{
    static const XpfPolicy pols[] = {
        { .allow_interrupt_control = true },
        { .permissive = true },
        { .permissive = true, .allow_interrupt_control = true },
        { 0 },
    };
    g_autoptr(TestHost) h = test_host_rich();
    g_autoptr(XpfDevice) d = mkdev(h, false, false);
    g_autoptr(GArray) before = desc_snapshot(d);
    unsigned off;
    size_t i;

    /* The policy decides what INTx disable does. */
    g_assert_cmpint(xpf_write(d, 0x04, 2, 0x0407), ==, XPF_OK);
    g_assert_cmphex(rd(d, 0x04, 2) & 0x0400, ==, 0);
    xpf_set_policy(d, &pols[0]);
    g_assert_cmpint(xpf_write(d, 0x04, 2, 0x0407), ==, XPF_OK);
    g_assert_cmphex(rd(d, 0x04, 2) & 0x0400, ==, 0x0400);
    xpf_set_policy(d, &(XpfPolicy) { 0 });
    g_assert_cmpint(xpf_write(d, 0x04, 2, 0x0007), ==, XPF_OK);
    g_assert_cmphex(rd(d, 0x04, 2) & 0x0400, ==, 0x0400);
    assert_descs_unchanged(d, before);
    /* ... without changing a descriptor, whatever the guest writes. */
    for (i = 0; i < G_N_ELEMENTS(pols); i++) {
        xpf_set_policy(d, &pols[i]);
        assert_descs_unchanged(d, before);
        for (off = 0; off < XPF_CFG_SIZE; off += 4) {
            xpf_write(d, off, 4, i & 1 ? 0 : ~0u);
        }
        assert_descs_unchanged(d, before);
    }
}

/* ---- MSI: one message offered ---- */

/*
 * A function capable of 16 messages with per-vector masking (64-bit):
 * with msi_single the guest sees Multiple Message Capable 0, a Multiple
 * Message Enable of 4 vectors reads back 0 and the event carries one
 * vector; only mask bit 0 is the guest's.  Without it, the function's 16.
 */
static void test_msi_single(void)
{
    int single;

    for (single = 0; single < 2; single++) {
        g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
        g_autoptr(XpfDevice) d = NULL;
        g_autoptr(GError) err = NULL;
        XpfConfig c;
        XpfMsiState m;

        test_host_add_cap(h, 0x40, 0x05, 0);
        test_host_set(h, 0x42, 2, 0x0180 | 4 << 1);
        c = test_host_config(h, false, true);
        c.msi_single = single;
        d = xpf_device_new(&c, &err);
        g_assert_no_error(err);
        g_assert_cmphex(rd(d, 0x42, 2) & 0x7e, ==, single ? 0 : 4 << 1);
        g_assert_cmpint(xpf_write(d, 0x42, 2, 0x0001 | 2 << 4), ==, XPF_OK);
        xpf_msi_state(d, &m);
        g_assert_true(m.enabled);
        g_assert_cmpuint(m.vectors_capable, ==, single ? 1 : 16);
        g_assert_cmpuint(m.vectors_enabled, ==, single ? 1 : 4);
        g_assert_cmpint(xpf_write(d, 0x50, 4, ~0u), ==, XPF_OK);
        g_assert_cmphex(rd(d, 0x50, 4), ==, single ? 0x1 : 0xffff);
        g_assert_cmpint(xpf_mirror_msi(d, 2), ==, !single);
    }
}

/* ---- MSI Extended Message Data ---- */

/*
 * MSI without per-vector masking: Extended Message Data belongs to the
 * virtual capability (reads 0, writes dropped) even when permissive, and
 * no quirk may reach into the MSI or MSI-X capability.
 */
static void test_msi_ext_data(void)
{
    static const struct {
        uint16_t ctl;
        unsigned data;
    } caps[] = {
        { 0x0000, 0x48 },   /* 32-bit */
        { 0x0080, 0x4c },   /* 64-bit */
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(caps); i++) {
        g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
        g_autoptr(XpfDevice) d = NULL;
        g_autoptr(GError) err = NULL;
        g_autofree char *list = NULL;
        unsigned ext = caps[i].data + 2;

        test_host_add_cap(h, 0x40, 0x05, 0);
        /* Extended Message Data Capable, device bits in the register. */
        test_host_set(h, 0x42, 2, caps[i].ctl | 0x0200);
        test_host_set(h, ext, 2, 0xbeef);
        test_host_add_cap(h, 0x50, 0x11, 12);
        d = mkdev(h, true, true);

        g_assert_cmpint(xpf_write(d, ext, 2, 0x1234), ==, XPF_OK);
        g_assert_cmpint(xpf_write(d, caps[i].data, 4, 0x56784321), ==,
                        XPF_OK);
        g_assert_cmpuint(test_host_writes(h), ==, 0);
        g_assert_cmphex(test_host_get(h, ext, 2), ==, 0xbeef);
        /* A dword read at Message Data: the data, then 0. */
        g_assert_cmphex(rd(d, caps[i].data, 4), ==, 0x4321);
        g_assert_cmphex(rd(d, ext, 2), ==, 0);
        /* Extended Message Data is not offered. */
        g_assert_cmphex(rd(d, 0x42, 2) & 0xfe00, ==, 0);
        /* No quirk inside MSI or MSI-X. */
        g_assert_false(xpf_add_quirk(d, ext, 2, 0xffff, &err));
        g_assert_nonnull(strstr(err->message, "MSI capability"));
        g_clear_error(&err);
        list = g_strdup_printf("0x5c:4:1,0x%x:1:1", ext + 1);
        g_assert_false(xpf_set_quirks(d, list, &err));
        g_assert_nonnull(strstr(err->message, "MSI capability"));
        g_clear_error(&err);
        g_assert_false(xpf_add_quirk(d, 0x58, 4, ~0u, &err));
        g_assert_nonnull(strstr(err->message, "MSI-X capability"));
        g_clear_error(&err);
        g_assert_true(xpf_add_quirk(d, 0x5c, 4, ~0u, &err));
        g_assert_no_error(err);
    }
}

/* ---- privileged state changes by meaning ---- */

static void test_reset_guest_view(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) d = mkdev(h, false, false);
    unsigned nev;

    g_assert_cmpint(xpf_write(d, 0x04, 2, 0x0147), ==, XPF_OK);
    g_assert_cmpint(xpf_write(d, 0x10, 4, 0xe0001000), ==, XPF_OK);
    g_assert_cmpint(xpf_write(d, 0x18, 4, 0x5), ==, XPF_OK);
    g_assert_cmpint(xpf_write(d, 0x1c, 4, 0xd000), ==, XPF_OK);
    g_assert_cmpint(xpf_write(d, 0x30, 4, 0xfc000001), ==, XPF_OK);
    nev = rec.events->len;
    test_host_clear_log(h);
    xpf_reset_guest_view(d);
    g_assert_cmphex(rd(d, 0x04, 2), ==, 0);
    g_assert_cmphex(rd(d, 0x10, 4), ==, 0);
    g_assert_cmphex(rd(d, 0x14, 4), ==, 0xc);     /* 64-bit prefetchable */
    g_assert_cmphex(rd(d, 0x18, 4), ==, 0);
    g_assert_cmphex(rd(d, 0x1c, 4), ==, 0x1);     /* I/O */
    g_assert_cmphex(rd(d, 0x20, 4), ==, 0);
    g_assert_cmphex(rd(d, 0x30, 4), ==, 0);       /* ROM disabled too */
    g_assert_cmpuint(rec.events->len, ==, nev);
    g_assert_cmpuint(test_host_writes(h), ==, 0);
    /* Other header registers are left alone; sizing still works. */
    g_assert_cmphex(rd(d, 0x00, 4), ==, 0x12341af4);
    g_assert_cmphex(rd(d, 0x2c, 4), ==, 0);
    g_assert_cmphex(size_bar(d, 0x10), ==, 0xfffff000);
    g_assert_cmphex(size_bar(d, 0x30), ==, 0xffff0001);
}

/* The path sets the Interrupt Line the guest reads; the host keeps its. */
static void test_interrupt_line(void)
{
    g_autoptr(TestHost) h = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) d = mkdev(h, false, false);
    unsigned nev = rec.events->len;

    test_host_clear_log(h);
    xpf_set_interrupt_line(d, 28);
    g_assert_cmphex(rd(d, 0x3c, 1), ==, 28);
    g_assert_cmpuint(test_host_writes(h), ==, 0);
    g_assert_cmpuint(rec.events->len, ==, nev);
    /* The guest may rewrite it (drivers do), still only in the copy. */
    g_assert_cmpint(xpf_write(d, 0x3c, 1, 5), ==, XPF_OK);
    g_assert_cmphex(rd(d, 0x3c, 1), ==, 5);
    g_assert_cmpuint(test_host_writes(h), ==, 0);
}

static void test_mirror_interrupts(void)
{
    g_autoptr(TestHost) h = test_host_rich();
    g_autoptr(TestHost) none = test_host_synthetic(XPF_CFG_SIZE);
    g_autoptr(XpfDevice) n = mkdev(none, false, false);
    g_autoptr(XpfDevice) d = mkdev(h, false, true);
    XpfMsiState ms;
    XpfMsixState xs;

    g_assert_false(xpf_mirror_msi(n, 1));
    g_assert_false(xpf_mirror_msix(n, true));
    /* MSI: enable and Multiple Message Enable, within what is capable. */
    g_assert_true(xpf_mirror_msi(d, 4));
    xpf_msi_state(d, &ms);
    g_assert_true(ms.enabled);
    g_assert_cmpuint(ms.vectors_enabled, ==, 4);
    g_assert_cmphex(rd(d, 0x52, 2), ==, 0x01a5);
    g_assert_false(xpf_mirror_msi(d, 8));
    g_assert_false(xpf_mirror_msi(d, 3));
    g_assert_cmphex(rd(d, 0x52, 2), ==, 0x01a5);
    g_assert_true(xpf_mirror_msi(d, 0));
    g_assert_cmphex(rd(d, 0x52, 2), ==, 0x0184);
    /* MSI-X: enable as asked, function mask cleared. */
    g_assert_cmpint(xpf_write(d, 0x72, 2, 0x4000), ==, XPF_OK);
    g_assert_true(xpf_mirror_msix(d, true));
    xpf_msix_state(d, &xs);
    g_assert_true(xs.enabled && !xs.masked);
    g_assert_cmphex(rd(d, 0x72, 2), ==, 0x8007);
    g_assert_true(xpf_mirror_msix(d, false));
    g_assert_cmphex(rd(d, 0x72, 2), ==, 0x0007);
    /* Only the guest's own write raised an event. */
    g_assert_cmpuint(rec.events->len, ==, 1);
    g_assert_cmpuint(test_host_writes(h), ==, 0);
}

/* The one-type rule counts what the path enabled in the host. */
static void test_host_interrupts_rule(void)
{
    g_autoptr(TestHost) h = test_host_rich();
    g_autoptr(XpfDevice) d = mkdev(h, false, true);

    g_assert_cmpint(xpf_write(d, 0x04, 2, 0x0407), ==, XPF_OK);
    xpf_set_host_interrupts(d, XPF_INTR_MSIX | XPF_INTR_INTX);
    g_assert_cmpint(xpf_host_interrupts(d), ==, XPF_INTR_MSIX);
    g_assert_cmpint(xpf_interrupt_type(d), ==, XPF_INTR_MSIX);
    /* Virtual MSI-X is off, yet MSI and INTx are refused. */
    g_assert_cmpint(xpf_write(d, 0x52, 2, 0x0001), ==, XPF_E_REFUSED);
    g_assert_cmpint(xpf_write(d, 0x04, 2, 0x0007), ==, XPF_E_REFUSED);
    g_assert_cmphex(rd(d, 0x04, 2), ==, 0x0407);
    /* The same type is fine. */
    g_assert_cmpint(xpf_write(d, 0x72, 2, 0x8000), ==, XPF_OK);
    g_assert_cmpint(xpf_write(d, 0x72, 2, 0x0000), ==, XPF_OK);
    /* Host MSI: MSI-X refused. */
    xpf_set_host_interrupts(d, XPF_INTR_MSI);
    g_assert_cmpint(xpf_write(d, 0x72, 2, 0x8000), ==, XPF_E_REFUSED);
    g_assert_cmpint(xpf_write(d, 0x52, 2, 0x0001), ==, XPF_OK);
    g_assert_cmpint(xpf_write(d, 0x52, 2, 0x0000), ==, XPF_OK);
    g_assert_cmpint(xpf_interrupt_type(d), ==, XPF_INTR_MSI);
    /* Nothing in the host: INTx may come back. */
    xpf_set_host_interrupts(d, XPF_INTR_NONE);
    g_assert_cmpint(xpf_write(d, 0x04, 2, 0x0007), ==, XPF_OK);
    g_assert_cmpint(xpf_interrupt_type(d), ==, XPF_INTR_INTX);
    g_assert_cmpuint(test_host_writes(h), ==, 0);
}

/* ---- host text ---- */

/* Resource ranges that wrap or numbers with signs are refused. */
static void test_sysfs_resource_hostile(void)
{
    static const char *const first[] = {
        "0x0000000000000000 0xffffffffffffffff 0x0000000000040200",
        "0x0000000000001000 -0x000000000000001 0x0000000000040200",
        "-0x000000000001000 0x0000000000000fff 0x0000000000040200",
        "0x00000000fe000000 0x00000000fe000fff +0x000000000040200",
        "0x00000000fe000000 0x00000000fe000fff 0x10000000000040200",
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(first); i++) {
        g_autofree char *text = g_strconcat(first[i], "\n",
                                            "0 0 0\n0 0 0\n0 0 0\n0 0 0\n"
                                            "0 0 0\n0 0 0\n", NULL);
        XpfBar b[XPF_NUM_BARS + 1];
        g_autoptr(GError) err = NULL;

        g_test_message("resource line '%s'", first[i]);
        g_assert_false(xpf_parse_sysfs_resource(text, b, &err));
        g_assert_error(err, XPF_ERROR, 0);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xpf/reg/validation", test_reg_validation);
    g_test_add_func("/xpf/reg/sorted-lookup", test_reg_sorted_lookup);
    g_test_add_func("/xpf/reg/limit", test_reg_limit);
    g_test_add_func("/xpf/reg/quirks", test_quirks);
    g_test_add_func("/xpf/access/bad", test_access_bad);
    g_test_add_func("/xpf/access/emulated-no-host",
                    test_access_emulated_no_host);
    g_test_add_func("/xpf/access/widths", test_access_widths);
    g_test_add_func("/xpf/access/spanning", test_access_spanning);
    g_test_add_func("/xpf/access/rmw-masks", test_access_rmw_masks);
    g_test_add_func("/xpf/access/host-failure", test_access_host_failure);
    g_test_add_func("/xpf/access/conventional-ext",
                    test_access_conventional_ext);
    g_test_add_func("/xpf/header/readonly-ids", test_header_readonly_ids);
    g_test_add_func("/xpf/header/bad-functions", test_header_bridge_refused);
    g_test_add_func("/xpf/header/intx-policy", test_header_intx_policy);
    g_test_add_func("/xpf/header/status-rw1c", test_header_status_rw1c);
    g_test_add_func("/xpf/header/bars", test_header_bars);
    g_test_add_func("/xpf/header/bist", test_header_bist);
    g_test_add_func("/xpf/caps/list", test_caps_list);
    g_test_add_func("/xpf/caps/hide-msi", test_caps_hide_msi);
    g_test_add_func("/xpf/caps/loop-and-bad", test_caps_loop_and_bad);
    g_test_add_func("/xpf/caps/none", test_caps_none);
    g_test_add_func("/xpf/caps/pm", test_caps_pm);
    g_test_add_func("/xpf/caps/vpd", test_caps_vpd);
    g_test_add_func("/xpf/caps/msi", test_caps_msi);
    g_test_add_func("/xpf/caps/msi32", test_caps_msi32);
    g_test_add_func("/xpf/caps/msix", test_caps_msix);
    g_test_add_func("/xpf/caps/pcie", test_caps_pcie);
    g_test_add_func("/xpf/caps/vendor-readonly", test_caps_vendor_readonly);
    g_test_add_func("/xpf/extcaps/hide", test_extcaps_hide);
    g_test_add_func("/xpf/extcaps/readonly", test_extcaps_readonly);
    g_test_add_func("/xpf/extcaps/aer", test_extcaps_aer);
    g_test_add_func("/xpf/extcaps/second-aer-readonly",
                    test_extcaps_second_aer);
    g_test_add_func("/xpf/caps/pcie-v1-rcec", test_caps_pcie_v1_rcec);
    g_test_add_func("/xpf/extcaps/none", test_extcaps_none);
    g_test_add_func("/xpf/policy/intr-control-default",
                    test_intr_control_default_refused);
    g_test_add_func("/xpf/policy/intr-control-exclusive",
                    test_intr_control_exclusive);
    g_test_add_func("/xpf/policy/privileged-setters",
                    test_privileged_setters);
    g_test_add_func("/xpf/policy/decisions", test_decisions_counted);
    g_test_add_func("/xpf/policy/denied-knob", test_denied_knob);
    g_test_add_func("/xpf/security/xsa120-126-decode", test_xsa120_decode);
    g_test_add_func("/xpf/security/xsa128-msi-spanning",
                    test_xsa128_spanning);
    g_test_add_func("/xpf/security/xsa129-msi-mask", test_xsa129_mask);
    g_test_add_func("/xpf/security/xsa131-unlisted", test_xsa131_unlisted);
    g_test_add_func("/xpf/util/sysfs-resource", test_sysfs_resource);
    g_test_add_func("/xpf/util/virtfn-view", test_virtfn_view);
    g_test_add_func("/xpf/virtfn/nvme-vf", test_virtfn_fixture);
    g_test_add_func("/xpf/quirks/list-replace", test_quirk_list_replace);
    g_test_add_func("/xpf/quirks/list-all-or-nothing",
                    test_quirk_list_all_or_nothing);
    g_test_add_func("/xpf/access/write-unlisted-gaps",
                    test_write_unlisted_gaps);
    g_test_add_func("/xpf/reg/descriptors-immutable",
                    test_descriptors_immutable);
    g_test_add_func("/xpf/caps/msi-ext-data", test_msi_ext_data);
    g_test_add_func("/xpf/caps/msi-single", test_msi_single);
    g_test_add_func("/xpf/path/reset-guest-view", test_reset_guest_view);
    g_test_add_func("/xpf/path/interrupt-line", test_interrupt_line);
    g_test_add_func("/xpf/path/mirror-interrupts", test_mirror_interrupts);
    g_test_add_func("/xpf/policy/host-interrupts",
                    test_host_interrupts_rule);
    g_test_add_func("/xpf/util/sysfs-resource-hostile",
                    test_sysfs_resource_hostile);
    return g_test_run();
}
