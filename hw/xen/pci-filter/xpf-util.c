/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Xen PCI register-filter engine: parsers for host-side text (sysfs
 * resource files, quirk specifications).  Host input is checked and any
 * problem reported through GError; nothing is changed on failure.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "xpf-internal.h"

/* Linux IORESOURCE_* flags as sysfs prints them. */
#define IORES_IO        0x00000100ull
#define IORES_MEM       0x00000200ull
#define IORES_PREFETCH  0x00002000ull
#define IORES_MEM_64    0x00100000ull

static bool parse_u64(const char *s, uint64_t *out, int base)
{
    char *end;

    errno = 0;
    *out = g_ascii_strtoull(s, &end, base);
    return errno == 0 && end != s && *end == '\0';
}

bool xpf_parse_sysfs_resource(const char *text, XpfBar bars[XPF_NUM_BARS + 1],
                              GError **errp)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    XpfBar out[XPF_NUM_BARS + 1] = { 0 };
    unsigned i;

    for (i = 0; i <= XPF_NUM_BARS; i++) {
        g_auto(GStrv) f = NULL;
        uint64_t start, end, flags;

        if (!lines[i] || !*lines[i]) {
            g_set_error(errp, XPF_ERROR, 0, "resource: %u lines, expected "
                        "at least %u", i, XPF_NUM_BARS + 1);
            return false;
        }
        f = g_strsplit_set(g_strstrip(lines[i]), " \t", -1);
        if (g_strv_length(f) != 3 || !parse_u64(f[0], &start, 16) ||
            !parse_u64(f[1], &end, 16) || !parse_u64(f[2], &flags, 16)) {
            g_set_error(errp, XPF_ERROR, 0, "resource line %u: expected "
                        "'start end flags' in hex", i);
            return false;
        }
        if (!flags && !start && !end) {
            continue;
        }
        if (end < start || (!(flags & (IORES_IO | IORES_MEM)))) {
            g_set_error(errp, XPF_ERROR, 0, "resource line %u: bad range or "
                        "flags", i);
            return false;
        }
        out[i] = (XpfBar) {
            .addr = start, .size = end - start + 1,
            .io = flags & IORES_IO,
            .mem64 = i < XPF_NUM_BARS && (flags & IORES_MEM_64),
            .prefetch = flags & IORES_PREFETCH,
        };
    }
    memcpy(bars, out, sizeof(out));
    return true;
}

bool xpf_add_quirk_str(XpfDevice *d, const char *spec, GError **errp)
{
    g_auto(GStrv) f = g_strsplit(spec, ":", -1);
    uint64_t off, size, mask;

    /* All hexadecimal, "0x" optional, as pciback's quirks file. */
    if (g_strv_length(f) != 3 || !parse_u64(f[0], &off, 16) ||
        !parse_u64(f[1], &size, 16) || !parse_u64(f[2], &mask, 16) ||
        off >= XPF_CFG_SIZE || size > 4 || mask > UINT32_MAX) {
        g_set_error(errp, XPF_ERROR, 0, "quirk '%s': expected OFFSET:SIZE:"
                    "MASK, e.g. 0x48:4:0xffffffff", spec);
        return false;
    }
    return xpf_add_quirk(d, off, size, mask, errp);
}
