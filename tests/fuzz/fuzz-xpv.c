/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Fuzz target for the PV-PCI op core: a backend with two or three fixture
 * functions and a racing frontend.  The input is a stream of steps (post an
 * op, change the page, hot add / remove, AER, time) and also feeds the page
 * changes made while the backend reads the page and while hooks run.
 * Aborts when an invariant breaks:
 *   - every answered op carries one of XEN_PCI_ERR_* and _XEN_PCIF_active
 *     is clear on return;
 *   - hooks see only in-range vector counts and table indexes, enable hooks
 *     only when nothing is enabled, disable hooks only for what is enabled;
 *   - no function has MSI and MSI-X enabled together, in the backend's
 *     state or in the engine's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xpf-test-host.h"
#include "xpv-core.h"
#include "fuzz-xpf.h"

#define NFUNCS 3

typedef struct Shadow {
    TestHost host;
    XpfDevice *dev;
    XpvBdf bdf;
    const XpvFunc *f;       /* NULL: not exported */
    bool msi, msix;         /* what the hooks set up */
} Shadow;

typedef struct FuzzState {
    const uint8_t *data;
    size_t size, pos;
    XpvBackend *b;
    struct xen_pci_sharedinfo sh;
    XpvSharedPage pg;
    Shadow fn[NFUNCS];
    int64_t now;
    int next_pirq;
} FuzzState;

static const char *const fixture_names[] = {
    "edu", "e1000e", "nvme", "virtio-net-pci", "e1000",
};
static TestHost *fixtures[G_N_ELEMENTS(fixture_names)];
static FuzzState fs;

static void load_fixtures(void)
{
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(fixture_names); i++) {
        fixtures[i] = test_host_load(fixture_names[i], NULL);
        FUZZ_CHECK(fixtures[i] != NULL);
    }
}

static uint8_t in8(void)
{
    return fs.pos < fs.size ? fs.data[fs.pos++] : 0;
}

static uint32_t in32(void)
{
    uint32_t v = in8();

    v |= (uint32_t)in8() << 8;
    v |= (uint32_t)in8() << 16;
    return v | (uint32_t)in8() << 24;
}

/* The frontend writes a few input bytes somewhere in the page. */
static void race(void)
{
    size_t lo = in8(), hi = in8(), len = in8() % 16;
    size_t off = (lo | hi << 8) % sizeof(fs.sh);
    size_t n = MIN(len, sizeof(fs.sh) - off), i;

    for (i = 0; i < n; i++) {
        ((uint8_t *)&fs.sh)[off + i] = in8();
    }
}

static void page_fetched(void *opaque, size_t off, size_t len)
{
    if (!(in8() & 3)) {
        race();
    }
}

static Shadow *shadow_of(const XpvFunc *f)
{
    Shadow *s = f->opaque;

    FUZZ_CHECK(s >= fs.fn && s < fs.fn + NFUNCS && s->f == f);
    return s;
}

/* 0: succeed; else fail, or hand out a pirq the core must refuse. */
static int hook_outcome(void)
{
    uint8_t v = in8() & 7;

    return v == 0 ? -1 : v == 1 ? 1 : 0;
}

static void hand_out(int pirqs[], unsigned n, int bad, int bad_val)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        pirqs[i] = 1 + (fs.next_pirq++ % 0xfff0);
    }
    if (bad) {
        pirqs[in8() % n] = bad_val;
    }
}

static int fz_enable_msi(void *opaque, const XpvFunc *f, unsigned nvec,
                         int pirqs[])
{
    Shadow *s = shadow_of(f);
    XpfMsiState msi;
    int o = hook_outcome();

    xpf_msi_state(f->dev, &msi);
    FUZZ_CHECK(!s->msi && !s->msix && f->irq == XPV_IRQ_NONE);
    FUZZ_CHECK(msi.present);
    FUZZ_CHECK(nvec >= 1 && nvec <= 32 && !(nvec & (nvec - 1)));
    FUZZ_CHECK(nvec <= msi.vectors_capable);
    race();
    if (o < 0) {
        return -1;
    }
    hand_out(pirqs, nvec, o, 0);
    s->msi = true;
    /* as the function layer: the engine learns what is on in the host */
    xpf_set_host_interrupts(f->dev, XPF_INTR_MSI);
    return 0;
}

static void fz_disable_msi(void *opaque, const XpvFunc *f)
{
    Shadow *s = shadow_of(f);

    FUZZ_CHECK(s->msi && !s->msix);
    FUZZ_CHECK(f->irq == XPV_IRQ_MSI || f->irq == XPV_IRQ_MULTI_MSI);
    s->msi = false;
    xpf_set_host_interrupts(f->dev, XPF_INTR_NONE);
}

static int fz_enable_msix(void *opaque, const XpvFunc *f,
                          const XpvMsixEntry *entries, unsigned n,
                          int pirqs[])
{
    Shadow *s = shadow_of(f);
    XpfMsixState mx;
    unsigned i, j;
    int o = hook_outcome();

    xpf_msix_state(f->dev, &mx);
    FUZZ_CHECK(!s->msi && !s->msix && f->irq == XPV_IRQ_NONE);
    FUZZ_CHECK(mx.present && (xpf_command(f->dev) & 2));
    FUZZ_CHECK(n >= 1 && n <= SH_INFO_MAX_VEC && n <= mx.table_size);
    for (i = 0; i < n; i++) {
        FUZZ_CHECK(entries[i].entry < mx.table_size);
        for (j = 0; j < i; j++) {
            FUZZ_CHECK(entries[i].entry != entries[j].entry);
        }
    }
    race();
    if (o < 0) {
        return -1;
    }
    hand_out(pirqs, n, o, in8() & 1 ? 0x10000 : -2);
    s->msix = true;
    xpf_set_host_interrupts(f->dev, XPF_INTR_MSIX);
    return 0;
}

static void fz_disable_msix(void *opaque, const XpvFunc *f)
{
    Shadow *s = shadow_of(f);

    FUZZ_CHECK(s->msix && !s->msi && f->irq == XPV_IRQ_MSIX);
    s->msix = false;
    xpf_set_host_interrupts(f->dev, XPF_INTR_NONE);
}

static const XpvHooks fz_hooks = {
    .enable_msi = fz_enable_msi, .disable_msi = fz_disable_msi,
    .enable_msix = fz_enable_msix, .disable_msix = fz_disable_msix,
};

static void check_invariants(void)
{
    unsigned i;

    for (i = 0; i < NFUNCS; i++) {
        Shadow *s = &fs.fn[i];
        XpfIntrType t = xpf_interrupt_type(s->dev);

        FUZZ_CHECK(!(s->msi && s->msix));
        FUZZ_CHECK((t & (XPF_INTR_MSI | XPF_INTR_MSIX)) !=
                   (XPF_INTR_MSI | XPF_INTR_MSIX));
        if (!s->f) {
            FUZZ_CHECK(!s->msi && !s->msix);
            continue;
        }
        FUZZ_CHECK(s->msi == (s->f->irq == XPV_IRQ_MSI ||
                              s->f->irq == XPV_IRQ_MULTI_MSI));
        FUZZ_CHECK(s->msix == (s->f->irq == XPV_IRQ_MSIX));
        FUZZ_CHECK(s->f->nvec <= SH_INFO_MAX_VEC);
    }
}

static bool attach(Shadow *s)
{
    XpvFuncConfig fc = { .host = s->bdf, .dev = s->dev, .opaque = s,
                         .intx_pirq = in8() };

    s->f = xpv_add_func(fs.b, &fc, NULL);
    return s->f != NULL;
}

static void detach(Shadow *s)
{
    FUZZ_CHECK(xpv_remove_func(fs.b, s->bdf, NULL));
    s->f = NULL;
    FUZZ_CHECK(!s->msi && !s->msix);
}

static void setup(void)
{
    unsigned n = 2 + (in8() & 1), i;
    uint8_t pol = in8();

    fs.b = xpv_backend_new(pol & 1 ? XPV_MODE_PASSTHROUGH : XPV_MODE_VPCI,
                           &fz_hooks, NULL);
    fs.pg = (XpvSharedPage) { .sh = &fs.sh, .fetched = page_fetched };
    for (i = 0; i < NFUNCS; i++) {
        Shadow *s = &fs.fn[i];
        XpfConfig c;

        s->host = *fixtures[in8() % G_N_ELEMENTS(fixtures)];
        s->host.log = g_array_new(false, true, sizeof(TestHostOp));
        c = test_host_config(&s->host, false, pol & (2 << i));
        s->dev = xpf_device_new(&c, NULL);
        FUZZ_CHECK(s->dev != NULL);
        s->bdf = (XpvBdf) { in8() & 1, in8() & 3, in8() & 0x1f };
        if (i < n) {
            attach(s);
        }
    }
}

static void teardown(void)
{
    unsigned i;

    xpv_backend_free(fs.b);
    for (i = 0; i < NFUNCS; i++) {
        FUZZ_CHECK(!fs.fn[i].msi && !fs.fn[i].msix);
        xpf_device_free(fs.fn[i].dev);
        g_array_free(fs.fn[i].host.log, true);
    }
}

static void fill_op(void)
{
    struct xen_pci_op *op = &fs.sh.op;
    uint8_t sel = in8();
    const Shadow *s = &fs.fn[sel % NFUNCS];
    unsigned i, n;

    op->cmd = sel & 0x80 ? in32() : in8() % (XPV_NUM_OPS + 1);
    if (s->f && !(sel & 0x40)) {
        op->domain = s->f->guest.domain;
        op->bus = s->f->guest.bus;
        op->devfn = s->f->guest.devfn;
    } else {
        op->domain = in8() & 1;
        op->bus = in8() & 3;
        op->devfn = in8();
    }
    op->offset = sel & 0x20 ? (int32_t)in32() : (in8() | in8() << 8) & 0xfff;
    op->size = sel & 0x10 ? (int32_t)in32() : 1 << (in8() % 3);
    op->value = sel & 0x08 ? in32() : in8() % 40;
    n = MIN(op->value, (uint32_t)SH_INFO_MAX_VEC);
    for (i = 0; i < n && (sel & 4); i++) {
        op->msix_entries[i].entry = in8() % 80;
    }
    /* The memory decode bit MSI-X needs: sometimes on, sometimes off. */
    if (s->f && (sel & 2)) {
        uint32_t cmd = xpf_command(s->dev) ^ 2;

        xpf_write(s->dev, 4, 2, cmd);
    }
}

static void do_op(void)
{
    uint8_t how = in8();
    bool answered;

    fill_op();
    fs.sh.flags |= how & 1 ? XEN_PCIF_active : 0;
    if (how & 2) {
        answered = xpv_handle_op(fs.b, &fs.pg);
    } else {
        answered = xpv_handle_event(fs.b, &fs.pg, fs.now) == XPV_EVENT_DONE;
    }
    if (answered) {
        FUZZ_CHECK(fs.sh.op.err <= XEN_PCI_ERR_success &&
                   fs.sh.op.err >= XEN_PCI_ERR_op_failed);
        FUZZ_CHECK(!(fs.sh.flags & XEN_PCIF_active));
    }
}

static void do_hotplug(void)
{
    Shadow *s = &fs.fn[in8() % NFUNCS];

    if (s->f) {
        detach(s);
    } else {
        s->bdf.devfn = in8();
        attach(s);
    }
}

static void do_aer(void)
{
    const Shadow *s = &fs.fn[in8() % NFUNCS];
    uint8_t what = in8();
    int32_t r;

    switch (what % 6) {
    case 0:
        xpv_aer_begin(fs.b, &fs.pg, s->f, in8() % 12, in8() % 4);
        break;
    case 1:
        xpv_aer_poll(fs.b, &fs.pg, &r);
        break;
    case 2:
        xpv_aer_timeout(fs.b, &fs.pg);
        break;
    case 3:
        if (what & 0x10) {
            xpv_aer_inject(fs.b, &fs.pg, s->bdf, in8() % 4);
        } else if (s->f) {
            xpv_aer_recover(fs.b, &fs.pg, s->f, in8() % 4);
        }
        break;
    case 4:
        xpv_aer_recover_poll(fs.b, &fs.pg, what & 0x10);
        break;
    case 5:
        /* The frontend answers. */
        fs.sh.aer_op.err = what & 0x10 ? (int32_t)in32() : in8() % 7;
        fs.sh.flags &= ~XEN_PCIB_active;
        break;
    }
}

static void do_misc(void)
{
    uint8_t what = in8();
    XpvRateLimit rl = { .burst = in8() % 8, .per_sec = in8() * 100 };
    XpvBus roots[4];

    switch (what % 5) {
    case 0:
        fs.now += (int64_t)in32() * 10;
        break;
    case 1:
        xpv_set_rate_limit(fs.b, &rl);
        break;
    case 2:
        xpv_reset(fs.b);
        break;
    case 3:
        fs.sh.flags ^= in8() & 7;
        break;
    case 4:
        FUZZ_CHECK(xpv_root_buses(fs.b, roots, 4) <= 4);
        FUZZ_CHECK(xpv_event_delay_ns(fs.b, fs.now) >= 0);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fixtures[0]) {
        load_fixtures();
    }
    memset(&fs, 0, sizeof(fs));
    fs.data = data;
    fs.size = size;
    setup();
    while (fs.pos < fs.size) {
        switch (in8() % 8) {
        case 0: case 1: case 2: case 3:
            do_op();
            break;
        case 4:
            race();
            break;
        case 5:
            do_hotplug();
            break;
        case 6:
            do_aer();
            break;
        case 7:
            do_misc();
            break;
        }
        check_invariants();
    }
    teardown();
    return 0;
}
