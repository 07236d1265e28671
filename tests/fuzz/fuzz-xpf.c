/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Fuzz target for the register-filter engine: a random fixture, random
 * policies and a random sequence of guest accesses, policy changes and
 * quirks.  After every step it checks the engine's invariants and aborts
 * on a violation:
 *   - read-only emulated bits never change;
 *   - never MSI and MSI-X enabled together unless permissive was ever on;
 *   - the host is written only inside the guest's access, only in bits the
 *     register table lets through, and its decode bits never change.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xpf-test-host.h"
#include "fuzz-xpf.h"


static GPtrArray *hosts;    /* TestHost, non-bridge fixtures */

static void load_fixtures(void)
{
    g_auto(GStrv) names = test_fixture_names();
    unsigned i;

    hosts = g_ptr_array_new();
    for (i = 0; names[i]; i++) {
        TestHost *h = test_host_load(names[i], NULL);

        if (h && !(h->cfg[0x0e] & 0x7f)) {
            g_ptr_array_add(hosts, h);
        } else {
            test_host_free(h);
        }
    }
    if (!hosts->len) {
        fprintf(stderr, "fuzz-xpf: no fixtures in %s\n", XPF_FIXTURE_DIR);
        abort();
    }
}

typedef struct RoSnap {
    uint16_t off;
    uint32_t bits;
    uint32_t val;
} RoSnap;

static unsigned snap_ro(XpfDevice *d, RoSnap *out)
{
    unsigned b, n = 0;

    for (b = 0; b < XPF_CFG_SIZE; b++) {
        const XpfRegDesc *r = xpf_find_reg(d, b);

        if (r && r->offset == b && (r->ro & r->emu)) {
            /* Command INTx-disable is ro or rw by policy. */
            uint32_t bits = r->ro & r->emu & (b == 4 ? ~0x400u : ~0u);

            out[n++] = (RoSnap) { b, bits, xpf_get_emulated(d, b) & bits };
        }
    }
    return n;
}

static void check_host_write(XpfDevice *d, const TestHost *h,
                             const uint8_t *before, unsigned off,
                             unsigned size, bool permissive)
{
    unsigned b, i;

    for (i = 0; i < h->log->len; i++) {
        const TestHostOp *op = &g_array_index(h->log, TestHostOp, i);

        if (op->write) {
            FUZZ_CHECK(op->off >= off && op->off + op->size <= off + size);
        }
    }
    for (b = 0; b < XPF_CFG_SIZE; b++) {
        uint8_t diff = before[b] ^ h->cfg[b], fb = 0, cb = 0;
        const XpfRegDesc *r = xpf_find_reg(d, b);

        if (!diff) {
            continue;
        }
        if (r) {
            unsigned sh = 8 * (b - r->offset);

            fb = ~(r->emu | r->ro | r->rsvdp | r->rsvdz | r->rw1c) >> sh;
            cb = (r->rw1c | r->rsvdz) >> sh;
        } else if (permissive) {
            fb = 0xff;
        }
        FUZZ_CHECK(b >= off && b < off + size);
        FUZZ_CHECK(!(diff & ~(fb | (cb & before[b] & ~h->cfg[b]))));
    }
    FUZZ_CHECK((h->cfg[4] & 7) == (before[4] & 7));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t before[XPF_CFG_SIZE];
    static RoSnap ro[XPF_MAX_REGS];
    TestHost *fx, h;
    XpfConfig c;
    XpfDevice *d;
    XpfPolicy pol;
    bool ever_permissive;
    unsigned nro, i;
    size_t pos = 2;

    if (!hosts) {
        load_fixtures();
    }
    if (size < 2) {
        return 0;
    }
    fx = g_ptr_array_index(hosts, data[0] % hosts->len);
    h = *fx;                                /* fresh copy of the fixture */
    h.log = g_array_new(false, true, sizeof(TestHostOp));
    c = test_host_config(&h, data[1] & 1, data[1] & 2);
    c.extcaps = data[1] & 4 ? XPF_EXTCAP_READONLY : XPF_EXTCAP_HIDE;
    d = xpf_device_new(&c, NULL);
    FUZZ_CHECK(d != NULL);
    pol = c.policy;
    ever_permissive = pol.permissive;
    nro = snap_ro(d, ro);

    while (pos + 8 <= size) {
        const uint8_t *op = data + pos;
        unsigned sz = 1u << (op[1] & 3);            /* 1, 2, 4 or 8 */
        unsigned off = (op[2] | op[3] << 8) & 0x1fff;
        uint32_t val = op[4] | op[5] << 8 | op[6] << 16 |
                       (uint32_t)op[7] << 24;
        uint32_t got;

        pos += 8;
        if (op[1] & 0x80) {
            off &= ~(sz - 1);   /* mostly aligned, sometimes not */
        }
        g_array_set_size(h.log, 0);
        memcpy(before, h.cfg, sizeof(before));
        switch (op[0] % 8) {
        case 0: case 1: case 2:
            xpf_write(d, off, sz, val);
            check_host_write(d, &h, before, off, sz, pol.permissive);
            break;
        case 3: case 4:
            if (xpf_read(d, off, sz, &got) != XPF_OK) {
                FUZZ_CHECK(sz >= 4 || got == (1u << (8 * sz)) - 1);
            }
            FUZZ_CHECK(!memcmp(before, h.cfg, sizeof(before)));
            break;
        case 5:
            pol.permissive = val & 1;
            pol.allow_interrupt_control = val & 2;
            ever_permissive |= pol.permissive;
            xpf_set_policy(d, &pol);
            break;
        case 6:
            xpf_add_quirk(d, off & 0xfff, sz, val, NULL);
            nro = snap_ro(d, ro);
            break;
        case 7:
            xpf_remove_quirk(d, off & 0xfff, NULL);
            break;
        }
        for (i = 0; i < nro; i++) {
            FUZZ_CHECK((xpf_get_emulated(d, ro[i].off) & ro[i].bits) ==
                       ro[i].val);
        }
        if (!ever_permissive) {
            FUZZ_CHECK((xpf_interrupt_type(d) &
                        (XPF_INTR_MSI | XPF_INTR_MSIX)) !=
                       (XPF_INTR_MSI | XPF_INTR_MSIX));
        }
    }
    xpf_device_free(d);
    g_array_free(h.log, true);
    return 0;
}
