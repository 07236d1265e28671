/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The filter's rules, stated independently of the engine, for the storm
 * tests and the fuzzer to judge the engine by.
 *
 * The rules are data (tables in xpf-rules.c) written from the PCI Local
 * Bus 3.0 and PCI Express Base specifications, Linux xen-pciback's
 * behaviour and docs/system/xen-passthrough/filter.rst; nothing here reads
 * the engine's register table.  Built for one function (its config space
 * as assigned and its BARs), a rule set says, per byte:
 *   - which host bits a guest write may change, and how: taken from the
 *     guest's value, cleared by a 1 (rw1c), or only ever cleared (RsvdZ,
 *     the VPD F bit); unlisted bytes only when permissive;
 *   - what the guest reads: the value at assignment, 0, or the function's
 *     current value.
 * It also follows the guest-visible interrupt state (command, MSI and
 * MSI-X control) to predict each write's status: which registers a policy
 * refuses.
 */
#ifndef XPF_RULES_H
#define XPF_RULES_H

#include "xpf-test-host.h"

typedef struct XrRules XrRules;

/* A rule set for the function @h as assigned (its config and BARs). */
XrRules *xr_new(const TestHost *h, XpfExtCapMode extcaps);
void xr_free(XrRules *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(XrRules, xr_free)

/*
 * The guest-visible command, MSI and MSI-X control as the guest first
 * reads them; from then on the rules follow the guest's writes.
 */
/* The engine was made with msi_single: MSI offers one message. */
void xr_msi_single(XrRules *r);
void xr_set_intr_state(XrRules *r, uint16_t cmd, uint16_t msi_ctl,
                       uint16_t msix_ctl);
uint16_t xr_command(const XrRules *r);
/* Kept capabilities the rules found (0: none). */
unsigned xr_cap(const XrRules *r, uint8_t id);
/* How many capabilities the rules keep; the offset of the @i-th. */
unsigned xr_num_caps(const XrRules *r);
unsigned xr_kept_cap(const XrRules *r, unsigned i);

/* Quirks: whether the rules accept one; add / remove it. */
bool xr_quirk_ok(const XrRules *r, unsigned off, unsigned size,
                 uint32_t mask);
void xr_add_quirk(XrRules *r, unsigned off, unsigned size, uint32_t mask);
bool xr_has_quirk_at(const XrRules *r, unsigned off);
void xr_remove_quirk(XrRules *r, unsigned off);

/* One guest write as the rules see it. */
typedef struct XrWrite {
    unsigned off, size;
    uint32_t val;
    XpfPolicy pol;
    XpfStatus status;               /* what the engine must return */
    uint8_t refused[4];             /* per access byte: its register refused */
} XrWrite;

/*
 * Predict a guest write (status, refusals) under @pol and advance the
 * guest-visible interrupt state as the write changes it.
 */
void xr_write(XrRules *r, const XpfPolicy *pol, unsigned off, unsigned size,
              uint32_t val, XrWrite *w);

/*
 * Judge what the write did to the host: @before and @after are the host's
 * config space, @ops the host accesses the engine made for it.  False,
 * with the reason in @why, when a host write lies outside the access,
 * touches a byte no rule lets the guest write, writes a bit other than the
 * rules allow (a passed bit not the guest's, an rw1c bit the guest did not
 * set, a kept bit changed), or when the host changed beyond the rules.
 */
bool xr_check_host(const XrRules *r, const XrWrite *w, const uint8_t *before,
                   const uint8_t *after, const TestHostOp *ops, unsigned nops,
                   char *why, size_t len);

/*
 * Judge a guest read of @size bytes at @off that returned @val, with the
 * host's config space @host as it was: values at assignment, zeros and
 * the function's current bits where the rules say so.  Bytes that are
 * virtual (the guest's own writes) are not judged.
 */
bool xr_check_read(const XrRules *r, unsigned off, unsigned size,
                   uint32_t val, const uint8_t *host, char *why, size_t len);

/* Check the guest-visible interrupt state against a read of it. */
bool xr_check_intr_state(const XrRules *r, uint16_t cmd, uint16_t msi_ctl,
                         uint16_t msix_ctl, char *why, size_t len);

/*
 * A write of the value just read: besides the rules above, the host may
 * only lose bits that read as 1 and that a write of 1 clears (rw1c, and
 * what reaches the function as written: quirk bits, permissive unlisted
 * bytes).  Nothing else changes, and only a VPD write request (F bit read
 * as 1) is refused.
 */
bool xr_check_writeback(const XrRules *r, const XrWrite *w,
                        const uint8_t *before, const uint8_t *after,
                        char *why, size_t len);

#endif
