/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * A fake host function for the engine's tests, fuzzer and benchmark.
 */
#include <string.h>
#include "xpf-test-host.h"

#ifndef XPF_FIXTURE_DIR
#error "XPF_FIXTURE_DIR must name tests/fixtures/pci"
#endif

uint32_t test_host_get(const TestHost *h, unsigned off, unsigned size)
{
    uint32_t v = 0;
    unsigned i;

    for (i = 0; i < size; i++) {
        v |= (uint32_t)h->cfg[off + i] << (8 * i);
    }
    return v;
}

void test_host_set(TestHost *h, unsigned off, unsigned size, uint32_t v)
{
    unsigned i;

    for (i = 0; i < size; i++) {
        h->cfg[off + i] = v >> (8 * i);
    }
}

static void set_w1c(TestHost *h, unsigned off, unsigned size, uint32_t m)
{
    unsigned i;

    for (i = 0; i < size; i++) {
        h->w1c[off + i] = m >> (8 * i);
    }
}

static void test_host_log(TestHost *h, bool write, unsigned off,
                          unsigned size, uint32_t val)
{
    TestHostOp op = { .write = write, .off = off, .size = size, .val = val };

    g_array_append_val(h->log, op);
}

static int th_read(void *opaque, unsigned off, unsigned size, uint32_t *val)
{
    TestHost *h = opaque;

    test_host_log(h, false, off, size, 0);
    if (h->fail || off + size > h->cfg_len) {
        return -1;
    }
    *val = test_host_get(h, off, size);
    return 0;
}

static int th_write(void *opaque, unsigned off, unsigned size, uint32_t val)
{
    TestHost *h = opaque;
    unsigned i;

    test_host_log(h, true, off, size, val);
    if (h->fail || off + size > h->cfg_len) {
        return -1;
    }
    for (i = 0; i < size; i++) {
        uint8_t b = val >> (8 * i), w1c = h->w1c[off + i];

        h->cfg[off + i] = (h->cfg[off + i] & w1c & ~b) | (b & ~w1c);
    }
    return 0;
}

const XpfHostOps test_host_ops = { .read = th_read, .write = th_write };

/* Mark write-1-to-clear bits where the function's registers have them. */
static void test_host_mark_w1c(TestHost *h)
{
    unsigned pos, steps = 0;

    memset(h->w1c, 0, sizeof(h->w1c));
    set_w1c(h, 0x06, 2, 0xf900);
    for (pos = h->cfg[0x34] & ~3u; pos >= 0x40 && steps++ < 48;
         pos = h->cfg[pos + 1] & ~3u) {
        switch (h->cfg[pos]) {
        case 0x01:
            set_w1c(h, pos + 4, 2, 0x8000);
            break;
        case 0x10:
            set_w1c(h, pos + 0x0a, 2, 0x000f);
            set_w1c(h, pos + 0x12, 2, 0xc000);
            break;
        }
    }
    for (pos = 0x100, steps = 0; h->cfg_len > 0x100 && pos >= 0x100 &&
         pos < 0xffc && steps++ < 480;
         pos = test_host_get(h, pos, 4) >> 20 & ~3u) {
        if ((test_host_get(h, pos, 4) & 0xffff) == 0x0001 && pos <= 0xfe8) {
            set_w1c(h, pos + 0x04, 4, ~0u);
            set_w1c(h, pos + 0x10, 4, ~0u);
        }
    }
}

TestHost *test_host_new(void)
{
    TestHost *h = g_new0(TestHost, 1);

    h->log = g_array_new(false, true, sizeof(TestHostOp));
    h->cfg_len = XPF_CFG_SIZE;
    return h;
}

void test_host_free(TestHost *h)
{
    if (h) {
        g_array_free(h->log, true);
        g_free(h->name);
        g_free(h);
    }
}

static bool read_id(const char *dir, const char *file, uint16_t *id,
                    GError **errp)
{
    g_autofree char *path = g_build_filename(dir, file, NULL);
    g_autofree char *text = NULL;
    uint64_t v;

    if (!g_file_get_contents(path, &text, NULL, errp)) {
        return false;
    }
    g_strstrip(text);
    if (!g_str_has_prefix(text, "0x") ||
        !g_ascii_string_to_unsigned(text + 2, 16, 0, 0xffff, &v, NULL)) {
        g_set_error(errp, XPF_ERROR, 0, "%s: bad ID '%s'", path, text);
        return false;
    }
    *id = v;
    return true;
}

/*
 * An SR-IOV VF fixture (it names its physfn): config space as the host
 * layer presents it, with the IDs and BARs the kernel gives the VF.
 */
static bool load_virtfn(TestHost *h, const char *dir, GError **errp)
{
    g_autofree char *physfn = g_build_filename(dir, "physfn", NULL);
    uint16_t vendor, device;

    if (!g_file_test(physfn, G_FILE_TEST_EXISTS)) {
        return true;
    }
    if (!read_id(dir, "vendor", &vendor, errp) ||
        !read_id(dir, "device", &device, errp)) {
        return false;
    }
    xpf_virtfn_view(h->cfg, vendor, device, h->bars);
    return true;
}

TestHost *test_host_load(const char *name, GError **errp)
{
    g_autoptr(TestHost) h = test_host_new();
    g_autofree char *dir = g_build_filename(XPF_FIXTURE_DIR, name, NULL);
    g_autofree char *cfgp = g_build_filename(dir, "config", NULL);
    g_autofree char *resp = g_build_filename(dir, "resource", NULL);
    g_autofree char *cfg = NULL, *res = NULL;
    gsize len;

    if (!g_file_get_contents(cfgp, &cfg, &len, errp) ||
        !g_file_get_contents(resp, &res, NULL, errp)) {
        return NULL;
    }
    if (len != XPF_CFG_LEGACY_SIZE && len != XPF_CFG_SIZE) {
        g_set_error(errp, XPF_ERROR, 0, "%s: %zu bytes", cfgp, (size_t)len);
        return NULL;
    }
    memcpy(h->cfg, cfg, len);
    h->cfg_len = len;
    if (!xpf_parse_sysfs_resource(res, h->bars, errp) ||
        !load_virtfn(h, dir, errp)) {
        return NULL;
    }
    h->name = g_strdup(name);
    test_host_mark_w1c(h);
    return g_steal_pointer(&h);
}

static gint cmp_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **test_fixture_names(void)
{
    g_autoptr(GDir) dir = g_dir_open(XPF_FIXTURE_DIR, 0, NULL);
    GPtrArray *names = g_ptr_array_new();
    const char *n;

    while (dir && (n = g_dir_read_name(dir))) {
        g_autofree char *p = g_build_filename(XPF_FIXTURE_DIR, n, "config",
                                              NULL);

        if (g_file_test(p, G_FILE_TEST_IS_REGULAR)) {
            g_ptr_array_add(names, g_strdup(n));
        }
    }
    g_ptr_array_sort(names, cmp_names);
    g_ptr_array_add(names, NULL);
    return (char **)g_ptr_array_free(names, false);
}

TestHost *test_host_synthetic(size_t cfg_len)
{
    TestHost *h = test_host_new();

    h->cfg_len = cfg_len;
    test_host_set(h, 0x00, 2, 0x1af4);          /* vendor */
    test_host_set(h, 0x02, 2, 0x1234);          /* device */
    test_host_set(h, 0x04, 2, 0x0007);          /* IO, MEM, master */
    test_host_set(h, 0x08, 4, 0x02000001);      /* class, revision 1 */
    test_host_set(h, 0x0c, 1, 0x10);            /* cache line size */
    test_host_set(h, 0x3c, 1, 0x0a);
    test_host_set(h, 0x3d, 1, 0x01);            /* INTA */
    /* BAR0: 4 KiB memory; BAR1+2: 64-bit prefetchable 16 GiB; BAR3: IO */
    test_host_set(h, 0x10, 4, 0xfe000000);
    h->bars[0] = (XpfBar) { .addr = 0xfe000000, .size = 0x1000 };
    test_host_set(h, 0x14, 4, 0x0000000c);
    test_host_set(h, 0x18, 4, 0x00000008);
    h->bars[1] = (XpfBar) { .addr = 0x800000000ull, .size = 0x400000000ull,
                            .mem64 = true, .prefetch = true };
    test_host_set(h, 0x1c, 4, 0x0000c001);
    h->bars[3] = (XpfBar) { .addr = 0xc000, .size = 0x20, .io = true };
    test_host_set(h, 0x30, 4, 0xfd000000);
    h->bars[XPF_ROM_SLOT] = (XpfBar) { .addr = 0xfd000000, .size = 0x10000 };
    h->name = g_strdup("synthetic");
    test_host_mark_w1c(h);
    return h;
}

void test_host_add_cap(TestHost *h, unsigned pos, uint8_t id, unsigned len)
{
    unsigned p = h->cfg[0x34];

    h->cfg[pos] = id;
    h->cfg[pos + 1] = 0;
    if (!p) {
        h->cfg[0x34] = pos;
        h->cfg[0x06] |= 0x10;
    } else {
        while (h->cfg[p + 1]) {
            p = h->cfg[p + 1];
        }
        h->cfg[p + 1] = pos;
    }
    (void)len;
    test_host_mark_w1c(h);
}

void test_host_add_extcap(TestHost *h, unsigned pos, uint16_t id,
                          unsigned ver)
{
    unsigned p = 0x100;

    if (pos != 0x100) {
        while (test_host_get(h, p, 4) >> 20) {
            p = test_host_get(h, p, 4) >> 20;
        }
        test_host_set(h, p, 4, (test_host_get(h, p, 4) & 0xfffff) |
                      pos << 20);
    }
    test_host_set(h, pos, 4, id | ver << 16);
    test_host_mark_w1c(h);
}

unsigned test_host_writes(const TestHost *h)
{
    unsigned i, n = 0;

    for (i = 0; i < h->log->len; i++) {
        n += g_array_index(h->log, TestHostOp, i).write;
    }
    return n;
}

unsigned test_host_reads(const TestHost *h)
{
    return h->log->len - test_host_writes(h);
}

void test_host_clear_log(TestHost *h)
{
    g_array_set_size(h->log, 0);
}

XpfConfig test_host_config(TestHost *h, bool permissive, bool intr_control)
{
    XpfConfig c = {
        .host = &test_host_ops, .host_opaque = h,
        .cfg = h->cfg, .cfg_len = h->cfg_len,
        .policy = { .permissive = permissive,
                    .allow_interrupt_control = intr_control },
    };

    memcpy(c.bars, h->bars, sizeof(c.bars));
    return c;
}

/* PM with D1 and PME support, MSI, MSI-X, PCIe v2, VPD, vendor, AER. */
TestHost *test_host_rich(void)
{
    TestHost *h = test_host_synthetic(XPF_CFG_SIZE);

    test_host_add_cap(h, 0x40, 0x01, 8);                 /* PM */
    test_host_set(h, 0x42, 2, 0x0003 | 0x0200 | 0xf800); /* D1, PME */
    test_host_add_cap(h, 0x48, 0x13, 8);                 /* AF: unknown */
    test_host_add_cap(h, 0x50, 0x05, 24);                /* MSI */
    test_host_set(h, 0x52, 2, 0x0184);                   /* 64, PVM, 4 vec */
    test_host_add_cap(h, 0x70, 0x11, 12);                /* MSI-X */
    test_host_set(h, 0x72, 2, 0x0007);                   /* 8 entries */
    test_host_set(h, 0x74, 4, 0x00000000);               /* BAR0 + 0 */
    test_host_set(h, 0x78, 4, 0x00000800);               /* BAR0 + 0x800 */
    test_host_add_cap(h, 0x80, 0x10, 0x3c);              /* PCIe v2 */
    test_host_set(h, 0x82, 2, 0x0002);
    test_host_set(h, 0x88, 2, 0x2810);                   /* MRRS 512 */
    test_host_add_cap(h, 0xc0, 0x03, 8);                 /* VPD */
    test_host_add_cap(h, 0xd0, 0x09, 0x10);              /* vendor */
    test_host_set(h, 0xd2, 1, 0x10);
    test_host_add_extcap(h, 0x100, 0x000e, 1);           /* ARI: hidden */
    test_host_add_extcap(h, 0x140, 0x0001, 2);           /* AER */
    test_host_add_extcap(h, 0x200, 0x0003, 1);           /* DSN: hidden */
    return h;
}
