/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Fuzz target for the register-filter engine: a random fixture, random
 * policies and a random sequence of guest accesses, write-backs of values
 * just read, policy changes and quirks.  Every step is judged by the rules
 * of tests/engine/xpf-rules.c, written from the specifications and
 * pciback's behaviour, never read from the engine's register table.  It
 * aborts when:
 *   - a write ends in another status than the rules say, reaches the host
 *     outside its access or in a byte or bit no rule lets it reach, or
 *     changes the host beyond the rules;
 *   - a write of the value just read changes the host other than by
 *     clearing bits read as 1 where a 1 clears them;
 *   - a read returns other than the rules say (values at assignment,
 *     zeros, the function's current bits) or changes the host;
 *   - the guest-visible command, MSI and MSI-X control differ from what the
 *     rules followed through the writes;
 *   - the engine accepts a quirk the rules refuse, or removing one
 *     disagrees with the rules;
 *   - MSI and MSI-X are enabled together while permissive never was on.
 *
 * Input: byte 0 picks the fixture; byte 1 the policy (bit 0 permissive,
 * bit 1 allow_interrupt_control), bit 2 linked read-only extended
 * capabilities, bit 3 the host's status bits latched before every step,
 * bit 4 MSI offered as one message (msi_single);
 * then steps of 8 bytes: kind, size (bits 0-1: 1, 2, 4 or 8 bytes; bit 7:
 * aligned), offset (2 bytes, little endian: 0-0x1fff; with bit 15 set,
 * bits 0-5 past a structure of the fixture, bits 8-14 picking which: the
 * header, an entry of its capability list or extended chain, known or
 * not), value (4 bytes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "xpf-test-host.h"
#include "xpf-rules.h"
#include "fuzz-xpf.h"

enum {
    STEP_WRITE = 0,         /* 0-2 */
    STEP_READ = 3,          /* 3-4 */
    STEP_POLICY = 5,
    STEP_QUIRK_ADD = 6,
    STEP_QUIRK_REMOVE = 7,
    STEP_WRITE_BACK = 8,    /* 8-9 */
    STEP__COUNT = 10,
};

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

/* Where the fixture's structures start, whether the filter keeps them. */
static unsigned anchors(const TestHost *h, unsigned *out, unsigned max)
{
    unsigned n = 0, pos, steps = 0;

    out[n++] = 0;
    for (pos = h->cfg[0x34] & ~3u; pos >= 0x40 && steps++ < 48 && n < max;
         pos = h->cfg[pos + 1] & ~3u) {
        out[n++] = pos;
    }
    for (pos = 0x100, steps = 0; h->cfg_len > 0x100 && pos >= 0x100 &&
         pos <= 0xffc && steps++ < 64 && n < max;
         pos = test_host_get(h, pos, 4) >> 20 & ~3u) {
        out[n++] = pos;
    }
    return n;
}

/* A broken rule: say which, and abort. */
#define RULE_CHECK(ok, what) do { \
    if (!(ok)) { \
        fprintf(stderr, "fuzz-xpf: %s: %s\n", what, why); \
        abort(); \
    } \
} while (0)

static bool access_ok(unsigned off, unsigned size)
{
    return (size == 1 || size == 2 || size == 4) && off % size == 0 &&
           off + size <= XPF_CFG_SIZE;
}

static void intr_state(XpfDevice *d, const XrRules *r, uint16_t *cmd,
                       uint16_t *msi, uint16_t *msix)
{
    uint32_t v = 0;

    FUZZ_CHECK(xpf_read(d, 0x04, 2, &v) == XPF_OK);
    *cmd = v;
    *msi = *msix = 0;
    if (xr_cap(r, 0x05)) {
        FUZZ_CHECK(xpf_read(d, xr_cap(r, 0x05) + 2, 2, &v) == XPF_OK);
        *msi = v;
    }
    if (xr_cap(r, 0x11)) {
        FUZZ_CHECK(xpf_read(d, xr_cap(r, 0x11) + 2, 2, &v) == XPF_OK);
        *msix = v;
    }
}

/* One guest write judged by the rules; @wb: it writes back a read value. */
static void judged_write(XpfDevice *d, XrRules *r, TestHost *h,
                         const XpfPolicy *pol, unsigned off, unsigned size,
                         uint32_t val, bool wb)
{
    static uint8_t before[XPF_CFG_SIZE];
    uint16_t cmd, msi, msix;
    char why[512] = "";
    XrWrite w;

    memcpy(before, h->cfg, sizeof(before));
    g_array_set_size(h->log, 0);
    xr_write(r, pol, off, size, val, &w);
    FUZZ_CHECK(xpf_write(d, off, size, val) == w.status);
    RULE_CHECK(xr_check_host(r, &w, before, h->cfg,
                             (TestHostOp *)h->log->data, h->log->len, why,
                             sizeof(why)), "write");
    if (wb) {
        RULE_CHECK(xr_check_writeback(r, &w, before, h->cfg, why,
                                      sizeof(why)), "write-back");
    }
    intr_state(d, r, &cmd, &msi, &msix);
    RULE_CHECK(xr_check_intr_state(r, cmd, msi, msix, why, sizeof(why)),
               "interrupt state");
}

/* A guest read judged by the rules; returns the status. */
static XpfStatus judged_read(XpfDevice *d, XrRules *r, TestHost *h,
                             unsigned off, unsigned size, uint32_t *got)
{
    static uint8_t before[XPF_CFG_SIZE];
    char why[512] = "";
    XpfStatus st;

    memcpy(before, h->cfg, sizeof(before));
    st = xpf_read(d, off, size, got);
    FUZZ_CHECK(!memcmp(before, h->cfg, sizeof(before)));
    if (!access_ok(off, size)) {
        FUZZ_CHECK(st == XPF_E_ACCESS);
        FUZZ_CHECK(size >= 4 || *got == (1u << (8 * size)) - 1);
        return st;
    }
    FUZZ_CHECK(st == XPF_OK);
    RULE_CHECK(xr_check_read(r, off, size, *got, h->cfg, why, sizeof(why)),
               "read");
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    TestHost *fx, h;
    XpfConfig c;
    XpfDevice *d;
    XrRules *r;
    XpfPolicy pol;
    XpfExtCapMode mode;
    bool ever_permissive, latch;
    uint16_t cmd, msi, msix;
    uint32_t got;
    unsigned off, anchor[112], nanchor;
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
    mode = data[1] & 4 ? XPF_EXTCAP_READONLY : XPF_EXTCAP_HIDE;
    c.extcaps = mode;
    latch = data[1] & 8;
    c.msi_single = data[1] & 16;
    d = xpf_device_new(&c, NULL);
    FUZZ_CHECK(d != NULL);
    r = xr_new(&h, mode);
    if (c.msi_single) {
        xr_msi_single(r);
    }
    pol = c.policy;
    ever_permissive = pol.permissive;
    intr_state(d, r, &cmd, &msi, &msix);
    xr_set_intr_state(r, cmd, msi, msix);
    nanchor = anchors(&h, anchor, G_N_ELEMENTS(anchor));

    while (pos + 8 <= size) {
        const uint8_t *op = data + pos;
        unsigned sz = 1u << (op[1] & 3);            /* 1, 2, 4 or 8 */
        uint32_t val = op[4] | op[5] << 8 | op[6] << 16 |
                       (uint32_t)op[7] << 24;

        pos += 8;
        if (op[3] & 0x80) {
            off = anchor[(op[3] & 0x7f) % nanchor] + (op[2] & 0x3f);
        } else {
            off = (op[2] | op[3] << 8) & 0x1fff;
        }
        if (op[1] & 0x80) {
            off &= ~(sz - 1);   /* mostly aligned, sometimes not */
        }
        if (latch) {
            /* Errors keep being raised: clearing one by accident shows. */
            for (unsigned i = 0; i < h.cfg_len; i++) {
                h.cfg[i] |= h.w1c[i];
            }
        }
        switch (op[0] % STEP__COUNT) {
        case STEP_WRITE:
        case STEP_WRITE + 1:
        case STEP_WRITE + 2:
            judged_write(d, r, &h, &pol, off, sz, val, false);
            break;
        case STEP_READ:
        case STEP_READ + 1:
            judged_read(d, r, &h, off, sz, &got);
            break;
        case STEP_POLICY:
            pol.permissive = val & 1;
            pol.allow_interrupt_control = val & 2;
            ever_permissive |= pol.permissive;
            xpf_set_policy(d, &pol);
            break;
        case STEP_QUIRK_ADD:
            off &= 0xfff;
            if (xpf_add_quirk(d, off, sz, val, NULL)) {
                /* (The rules cannot say when the register limit is hit.) */
                FUZZ_CHECK(xr_quirk_ok(r, off, sz, val));
                xr_add_quirk(r, off, sz, val);
            }
            break;
        case STEP_QUIRK_REMOVE:
            off &= 0xfff;
            FUZZ_CHECK(xpf_remove_quirk(d, off, NULL) ==
                       xr_has_quirk_at(r, off));
            if (xr_has_quirk_at(r, off)) {
                xr_remove_quirk(r, off);
            }
            break;
        default:
            /* Read, then write back what was read. */
            if (judged_read(d, r, &h, off, sz, &got) == XPF_OK) {
                judged_write(d, r, &h, &pol, off, sz, got, true);
            } else {
                judged_write(d, r, &h, &pol, off, sz, val, true);
            }
            break;
        }
        if (!ever_permissive) {
            FUZZ_CHECK((xpf_interrupt_type(d) &
                        (XPF_INTR_MSI | XPF_INTR_MSIX)) !=
                       (XPF_INTR_MSI | XPF_INTR_MSIX));
        }
    }
    /* In the end, every byte the guest reads. */
    for (off = 0; off < XPF_CFG_SIZE; off += 4) {
        judged_read(d, r, &h, off, 4, &got);
    }
    xr_free(r);
    xpf_device_free(d);
    g_array_free(h.log, true);
    return 0;
}
