/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Benchmark of the register-filter engine: a Linux-like enumeration of
 * every fixture (read the header, walk and read the capability chain and
 * the extended chain, size every BAR and the ROM with decode off), timed,
 * with the host accesses it costs and the per-device state.
 *
 *   bench-xpf              table of figures
 *   bench-xpf --callgrind  run bench_loop() only, for callgrind's
 *                          --toggle-collect=bench_loop; prints the number of
 *                          guest accesses it made
 */
#include <stdio.h>
#include <string.h>
#include "xpf-test-host.h"

typedef struct Bench {
    XpfDevice *d;
    uint64_t accesses;
} Bench;

static uint32_t brd(Bench *b, unsigned off, unsigned size)
{
    uint32_t v;

    b->accesses++;
    xpf_read(b->d, off, size, &v);
    return v;
}

static void bwr(Bench *b, unsigned off, unsigned size, uint32_t v)
{
    b->accesses++;
    xpf_write(b->d, off, size, v);
}

static void size_bar(Bench *b, unsigned off, uint32_t probe)
{
    uint32_t orig = brd(b, off, 4);

    bwr(b, off, 4, probe);
    brd(b, off, 4);
    bwr(b, off, 4, orig);
}

static void enumerate(Bench *b)
{
    unsigned off, pos, n;
    uint16_t cmd;

    for (off = 0; off < 0x40; off += 4) {
        brd(b, off, 4);
    }
    for (pos = brd(b, 0x34, 1) & ~3u, n = 0; pos && n < 48; n++) {
        uint32_t hdr = brd(b, pos, 4);
        unsigned len = (hdr & 0xff) == 0x10 ? 0x3c : 0x10;

        for (off = 4; off < len && pos + off < 0x100; off += 4) {
            brd(b, pos + off, 4);
        }
        pos = (hdr >> 8) & 0xfc;
    }
    for (pos = 0x100, n = 0; pos >= 0x100 && n < 480; n++) {
        uint32_t hdr = brd(b, pos, 4);

        if (!hdr) {
            break;
        }
        if ((hdr & 0xffff) == 0x0001) {
            for (off = 4; off < 0x2c; off += 4) {
                brd(b, pos + off, 4);
            }
        }
        pos = hdr >> 20;
    }
    /* Size BARs and ROM with decode off, as Linux's pci_read_bases(). */
    cmd = brd(b, 0x04, 2);
    bwr(b, 0x04, 2, cmd & ~3u);
    for (off = 0x10; off < 0x28; off += 4) {
        size_bar(b, off, ~0u);
    }
    size_bar(b, 0x30, ~1u);
    bwr(b, 0x04, 2, cmd);
}

/* The measured loop (callgrind toggles collection on this function). */
static void __attribute__((noinline)) bench_loop(Bench *b, unsigned iters)
{
    unsigned i;

    for (i = 0; i < iters; i++) {
        enumerate(b);
    }
}

static XpfDevice *make(TestHost *h)
{
    XpfConfig c = test_host_config(h, false, false);

    return xpf_device_new(&c, NULL);
}

static TestHost **load_all(void)
{
    g_auto(GStrv) names = test_fixture_names();
    GPtrArray *a = g_ptr_array_new();
    unsigned i;

    for (i = 0; names[i]; i++) {
        TestHost *h = test_host_load(names[i], NULL);

        if (h && !(h->cfg[0x0e] & 0x7f)) {
            g_ptr_array_add(a, h);
        } else {
            test_host_free(h);
        }
    }
    g_ptr_array_add(a, NULL);
    return (TestHost **)g_ptr_array_free(a, false);
}

/* Reads of registers that are fully emulated must cost no host access. */
static unsigned emulated_read_cost(TestHost *h)
{
    g_autoptr(XpfDevice) d = make(h);
    static const unsigned offs[] = { 0x00, 0x08, 0x10, 0x14, 0x18, 0x1c,
                                     0x20, 0x24, 0x28, 0x2c, 0x30, 0x34 };
    XpfStats st;
    uint32_t v;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(offs); i++) {
        xpf_read(d, offs[i], 4, &v);
    }
    xpf_get_stats(d, &st);
    return st.host_reads + st.host_writes;
}

static int run_callgrind(TestHost **hosts)
{
    uint64_t total = 0;
    unsigned i;

    for (i = 0; hosts[i]; i++) {
        Bench b = { .d = make(hosts[i]) };

        bench_loop(&b, 100);
        total += b.accesses;
        xpf_device_free(b.d);
    }
    printf("accesses %" G_GUINT64_FORMAT "\n", total);
    return 0;
}

int main(int argc, char **argv)
{
    TestHost **hosts = load_all();
    uint64_t all_acc = 0, all_host = 0;
    double all_secs = 0;
    size_t max_fp = 0;
    unsigned i, emu_cost = 0;

    if (argc > 1 && !strcmp(argv[1], "--callgrind")) {
        return run_callgrind(hosts);
    }
    printf("%-24s %8s %8s %10s %10s %9s\n", "fixture", "guest", "host",
           "host/guest", "Macc/s", "state(B)");
    for (i = 0; hosts[i]; i++) {
        Bench b = { .d = make(hosts[i]) };
        g_autoptr(GTimer) t = g_timer_new();
        uint64_t one, iters = 0;
        XpfStats st;
        double secs;

        bench_loop(&b, 1);
        one = b.accesses;
        xpf_get_stats(b.d, &st);
        all_host += st.host_reads + st.host_writes;
        all_acc += one;
        g_timer_start(t);
        do {
            bench_loop(&b, 200);
            iters += 200;
        } while (g_timer_elapsed(t, NULL) < 0.2);
        secs = g_timer_elapsed(t, NULL);
        all_secs += secs / (iters * one);
        max_fp = MAX(max_fp, xpf_device_footprint(b.d));
        emu_cost += emulated_read_cost(hosts[i]);
        printf("%-24s %8" G_GUINT64_FORMAT " %8" G_GUINT64_FORMAT
               " %10.3f %10.2f %9zu\n", hosts[i]->name, one,
               st.host_reads + st.host_writes,
               (double)(st.host_reads + st.host_writes) / one,
               iters * one / secs / 1e6, xpf_device_footprint(b.d));
        xpf_device_free(b.d);
    }
    printf("\nenumeration: %" G_GUINT64_FORMAT " guest accesses, %"
           G_GUINT64_FORMAT " host accesses: %.3f host accesses per guest "
           "access (target <= 0.25)\n", all_acc, all_host,
           (double)all_host / all_acc);
    printf("mean time per guest access: %.1f ns\n",
           all_secs / i * 1e9);
    printf("host accesses for reads of fully emulated registers: %u "
           "(target 0)\n", emu_cost);
    printf("largest per-device state: %zu bytes (target <= 16384)\n",
           max_fp);
    for (i = 0; hosts[i]; i++) {
        test_host_free(hosts[i]);
    }
    g_free(hosts);
    return 0;
}
