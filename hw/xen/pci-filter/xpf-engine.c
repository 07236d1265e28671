/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Xen PCI register-filter engine: registration and access dispatch.
 *
 * Registers are kept sorted and non-overlapping in one array; a per-byte
 * index maps every config-space offset to its register, so each access is
 * resolved in constant time.  A guest access is cut into segments (one per
 * register it touches, or a run of unlisted bytes); a read costs at most one
 * host read.  A write reaches the host only at the bytes of the segments it
 * is allowed to change, with one host read and one host write per run of
 * such bytes (one of each when they are contiguous).
 */
#include <string.h>
#include "xpf-internal.h"

GQuark xpf_error_quark(void)
{
    return g_quark_from_static_string("xpf-error-quark");
}

/* One piece of an access: a register, or a run of unlisted bytes. */
typedef struct XpfSeg {
    XpfReg *r;           /* NULL for unlisted bytes */
    unsigned start;      /* config offset of the first byte */
    unsigned len;
} XpfSeg;

/* Per-segment outcome of a write, computed before anything is changed. */
typedef struct XpfSegPlan {
    XpfSeg seg;
    uint32_t gv;         /* guest value in register coordinates */
    uint32_t writable;   /* register bits the guest may change */
    XpfDecision dec;
    const char *why;
} XpfSegPlan;

static bool xpf_access_ok(unsigned off, unsigned size)
{
    return (size == 1 || size == 2 || size == 4) && (off % size) == 0 &&
           off < XPF_CFG_SIZE && off + size <= XPF_CFG_SIZE;
}

/* Move register-relative bits to access-relative ones and back. */
static uint32_t xpf_reg_to_acc(uint32_t v, unsigned reg_off, unsigned acc_off)
{
    uint64_t w = v;

    return reg_off >= acc_off ? (uint32_t)(w << (8 * (reg_off - acc_off)))
                              : (uint32_t)(w >> (8 * (acc_off - reg_off)));
}

static uint32_t xpf_acc_to_reg(uint32_t v, unsigned acc_off, unsigned reg_off)
{
    return xpf_reg_to_acc(v, acc_off, reg_off);
}

/* Bits of the register covered by [start, start + len). */
static uint32_t xpf_seg_reg_mask(const XpfSeg *s)
{
    return xpf_width_mask(s->len) << (8 * (s->start - s->r->d.offset));
}

/* Bits of the access covered by the segment. */
static uint32_t xpf_seg_acc_mask(const XpfSeg *s, unsigned acc_off)
{
    return xpf_width_mask(s->len) << (8 * (s->start - acc_off));
}

/* Cut [off, off + size) into segments; returns their number (<= 4). */
static unsigned xpf_segments(XpfDevice *d, unsigned off, unsigned size,
                             XpfSeg segs[4])
{
    unsigned n = 0, pos = off, end = off + size;

    while (pos < end) {
        XpfSeg *s = &segs[n++];

        s->r = xpf_reg_at(d, pos);
        s->start = pos;
        if (s->r) {
            unsigned rend = s->r->d.offset + s->r->d.size;
            pos = MIN(rend, end);
        } else {
            while (pos < end && !d->at[pos]) {
                pos++;
            }
        }
        s->len = pos - s->start;
    }
    return n;
}

static int xpf_host_read(XpfDevice *d, unsigned off, unsigned size,
                         uint32_t *val)
{
    d->stats.host_reads++;
    return d->host.read(d->host_opaque, off, size, val);
}

static int xpf_host_write(XpfDevice *d, unsigned off, unsigned size,
                          uint32_t val)
{
    d->stats.host_writes++;
    return d->host.write(d->host_opaque, off, size, val);
}

void xpf_emit(XpfDevice *d, XpfEventKind kind, unsigned index,
              uint32_t old_val, uint32_t new_val)
{
    XpfEvent ev = {
        .kind = kind, .index = index, .old_val = old_val, .new_val = new_val,
    };

    if (d->path.event) {
        d->path.event(d->path_opaque, &ev);
    }
}

static void xpf_decide(XpfDevice *d, XpfDecision dec, unsigned off,
                       unsigned size, uint32_t val, const char *why)
{
    d->stats.decisions[dec]++;
    if (d->path.decision) {
        d->path.decision(d->path_opaque, dec, off, size, val, why);
    }
}

/* ---- reads ---- */

static bool xpf_seg_needs_host(const XpfDevice *d, const XpfSeg *s)
{
    if (!s->r) {
        return true;
    }
    return (s->r->hostbits & xpf_seg_reg_mask(s)) != 0;
}

XpfStatus xpf_read(XpfDevice *d, unsigned off, unsigned size, uint32_t *val)
{
    XpfSeg segs[4];
    unsigned n, i;
    uint32_t host = 0, out = 0;
    bool need_host = false;

    if (!xpf_access_ok(off, size)) {
        *val = size >= 4 ? UINT32_MAX : xpf_width_mask(size ? size : 4);
        return XPF_E_ACCESS;
    }
    if (off >= d->cfg_size) {
        *val = 0;       /* no extended space on a conventional function */
        return XPF_OK;
    }

    n = xpf_segments(d, off, size, segs);
    for (i = 0; i < n && !need_host; i++) {
        need_host = xpf_seg_needs_host(d, &segs[i]);
    }
    if (need_host && xpf_host_read(d, off, size, &host) < 0) {
        *val = xpf_width_mask(size);
        return XPF_E_HOST;
    }

    for (i = 0; i < n; i++) {
        const XpfSeg *s = &segs[i];
        XpfReg *r = s->r;
        uint32_t v;

        if (!r) {
            out |= host & xpf_seg_acc_mask(s, off);
            continue;
        }
        v = (r->val & r->d.emu) |
            (xpf_acc_to_reg(host, off, r->d.offset) & r->hostbits);
        if (r->d.read) {
            r->d.read(d, r, &v);
        }
        out |= xpf_reg_to_acc(v & xpf_seg_reg_mask(s), r->d.offset, off);
    }
    *val = out & xpf_width_mask(size);
    return XPF_OK;
}

/* ---- writes ---- */

/* Decide one segment of a write without changing anything. */
static void xpf_plan_seg(XpfDevice *d, XpfSegPlan *p, unsigned off,
                         uint32_t val)
{
    XpfReg *r = p->seg.r;
    uint32_t bytes;

    if (!r) {
        p->dec = d->policy.permissive ? XPF_DEC_ALLOWED : XPF_DEC_DROPPED;
        p->why = d->policy.permissive ? "permissive" : XPF_WHY_UNLISTED;
        return;
    }
    bytes = xpf_seg_reg_mask(&p->seg);
    p->gv = xpf_acc_to_reg(val, off, r->d.offset) & bytes;
    p->writable = bytes & ~(r->d.ro | r->d.rsvdp | r->d.rsvdz);
    p->why = r->d.name;

    if (r->d.write) {
        uint32_t v = p->gv;
        const char *why = NULL;

        if (!r->d.write(d, r, &v, bytes, &why)) {
            p->dec = XPF_DEC_REFUSED;
            p->why = why ? why : r->d.name;
            p->writable = 0;
            return;
        }
        p->gv = v & bytes;
    }
    if (!p->writable) {
        p->dec = XPF_DEC_DROPPED;
    } else if (p->writable & ~r->d.emu) {
        p->dec = XPF_DEC_ALLOWED;
    } else {
        p->dec = XPF_DEC_EMULATED;
    }
}

/* Bits of the access that go to the host, in access coordinates. */
typedef struct XpfHostPlan {
    uint32_t set;        /* bits taken from the guest's value */
    uint32_t zero;       /* bits forced to 0 (rw1c not written, rsvdz) */
    uint32_t clear1;     /* rw1c bits the guest writes as 1 */
    uint32_t bytes;      /* bytes the host may be written at, 0xff each */
} XpfHostPlan;

static void xpf_host_plan_add(XpfHostPlan *hp, const XpfSegPlan *p,
                              unsigned off)
{
    const XpfReg *r = p->seg.r;
    uint32_t hw, rw1c, zero;

    if (p->dec != XPF_DEC_ALLOWED) {
        return;     /* unlisted (not permissive), dropped, refused, virtual */
    }
    hp->bytes |= xpf_seg_acc_mask(&p->seg, off);
    if (!r) {
        hp->set |= xpf_seg_acc_mask(&p->seg, off);
        return;
    }
    hw = p->writable & ~r->d.emu;
    rw1c = hw & r->d.rw1c;
    /* rw1c bits this write does not set are written as 0, never back. */
    zero = (r->d.rw1c & ~r->d.emu & ~(rw1c & p->gv)) | r->d.rsvdz;
    zero &= xpf_seg_reg_mask(&p->seg);
    hp->set |= xpf_reg_to_acc(hw & ~r->d.rw1c, r->d.offset, off);
    hp->clear1 |= xpf_reg_to_acc(rw1c & p->gv, r->d.offset, off);
    hp->zero |= xpf_reg_to_acc(zero, r->d.offset, off);
}

/* One host write of @len bytes at access byte @first (read first if need). */
static XpfStatus xpf_host_commit_run(XpfDevice *d, const XpfHostPlan *hp,
                                     unsigned off, unsigned first,
                                     unsigned len, uint32_t val)
{
    unsigned shift = 8 * first;
    uint32_t span = xpf_width_mask(len);
    uint32_t set = (hp->set >> shift) & span;
    uint32_t clear1 = (hp->clear1 >> shift) & span;
    uint32_t zero = (hp->zero >> shift) & span & ~set & ~clear1;
    uint32_t keep = span & ~(set | clear1 | zero);
    uint32_t cur = 0, nv;

    if (!(set | clear1)) {
        return XPF_OK;
    }
    nv = ((val >> shift) & set) | clear1;
    if (keep) {
        if (xpf_host_read(d, off + first, len, &cur) < 0) {
            return XPF_E_HOST;
        }
        nv |= cur & keep;
        /* Nothing would change and nothing is cleared: spare the device. */
        if (!clear1 && !((nv ^ cur) & ~zero)) {
            return XPF_OK;
        }
    }
    return xpf_host_write(d, off + first, len, nv) < 0 ? XPF_E_HOST : XPF_OK;
}

/*
 * Write only the bytes of registers (and permissive unlisted runs) the
 * write reaches, as the widest naturally aligned accesses they fill: the
 * bytes in between, unlisted or dropped, are never written back.
 */
static XpfStatus xpf_host_commit(XpfDevice *d, const XpfHostPlan *hp,
                                 unsigned off, unsigned size, uint32_t val)
{
    unsigned pos = 0, len;
    XpfStatus st;

    if (!(hp->set | hp->clear1)) {
        return XPF_OK;      /* nothing for the host (a virtual write) */
    }
    while (pos < size) {
        if (!(hp->bytes >> (8 * pos))) {
            break;
        }
        if (!((hp->bytes >> (8 * pos)) & 0xff)) {
            pos++;
            continue;
        }
        for (len = 4; len > 1; len /= 2) {
            uint32_t m = xpf_width_mask(len) << (8 * pos);

            if ((off + pos) % len == 0 && pos + len <= size &&
                (hp->bytes & m) == m) {
                break;
            }
        }
        st = xpf_host_commit_run(d, hp, off, pos, len, val);
        if (st != XPF_OK) {
            return st;
        }
        pos += len;
    }
    return XPF_OK;
}

static void xpf_apply_emulated(XpfDevice *d, const XpfSegPlan *p)
{
    XpfReg *r = p->seg.r;
    uint32_t e, nv, old;

    if (!r || p->dec == XPF_DEC_REFUSED || p->dec == XPF_DEC_DROPPED) {
        return;
    }
    e = p->writable & r->d.emu;
    old = r->val;
    nv = (old & ~(e & ~r->d.rw1c)) | (p->gv & e & ~r->d.rw1c);
    nv &= ~(p->gv & e & r->d.rw1c);
    if (nv == old) {
        return;
    }
    r->val = nv;
    if (r->d.event >= 0) {
        xpf_emit(d, (XpfEventKind)r->d.event, r->d.index, old, nv);
    }
}

XpfStatus xpf_write(XpfDevice *d, unsigned off, unsigned size, uint32_t val)
{
    XpfSeg segs[4];
    XpfSegPlan plan[4];
    XpfHostPlan hp = { 0 };
    XpfStatus st = XPF_OK;
    bool refused = false;
    unsigned n, i;

    if (!xpf_access_ok(off, size)) {
        /* denied like any other write that changes nothing */
        xpf_decide(d, XPF_DEC_DROPPED, off, size, val,
                   "bad size, alignment or offset");
        return XPF_E_ACCESS;
    }
    val &= xpf_width_mask(size);
    if (off >= d->cfg_size) {
        xpf_decide(d, XPF_DEC_DROPPED, off, size, val,
                   "beyond the function's config space");
        return XPF_OK;
    }

    n = xpf_segments(d, off, size, segs);
    for (i = 0; i < n; i++) {
        plan[i] = (XpfSegPlan) { .seg = segs[i] };
        xpf_plan_seg(d, &plan[i], off, val);
        xpf_host_plan_add(&hp, &plan[i], off);
        refused |= plan[i].dec == XPF_DEC_REFUSED;
    }

    st = xpf_host_commit(d, &hp, off, size, val);
    for (i = 0; i < n; i++) {
        const XpfSegPlan *p = &plan[i];
        uint32_t seg_val = (val >> (8 * (p->seg.start - off))) &
                           xpf_width_mask(p->seg.len);

        xpf_decide(d, p->dec, p->seg.start, p->seg.len, seg_val, p->why);
        if (st == XPF_OK) {
            xpf_apply_emulated(d, p);
        }
    }
    if (st != XPF_OK) {
        return st;
    }
    return refused ? XPF_E_REFUSED : XPF_OK;
}

/* ---- registration ---- */

static bool xpf_check_desc(const XpfDevice *d, const XpfRegDesc *r,
                           GError **errp)
{
    uint32_t w;
    unsigned i;

    if ((r->size != 1 && r->size != 2 && r->size != 4) ||
        r->offset % r->size || r->offset + r->size > d->cfg_size) {
        g_set_error(errp, XPF_ERROR, 0,
                    "register %s: bad placement (offset 0x%x size %u, "
                    "config space 0x%x bytes)", r->name ? r->name : "?",
                    r->offset, r->size, d->cfg_size);
        return false;
    }
    w = xpf_width_mask(r->size);
    if ((r->ro | r->rw1c | r->rsvdp | r->rsvdz | r->emu | r->init) & ~w) {
        g_set_error(errp, XPF_ERROR, 0,
                    "register %s at 0x%x: mask wider than %u bytes",
                    r->name, r->offset, r->size);
        return false;
    }
    if ((r->ro & r->rw1c) || (r->rsvdp & r->rsvdz) ||
        ((r->rsvdp | r->rsvdz) & (r->ro | r->rw1c | r->emu)) ||
        (r->init & ~r->emu)) {
        g_set_error(errp, XPF_ERROR, 0,
                    "register %s at 0x%x: clashing masks", r->name, r->offset);
        return false;
    }
    if (r->event < -1 || r->event >= XPF_EV__COUNT) {
        g_set_error(errp, XPF_ERROR, 0, "register %s: bad event %d",
                    r->name, r->event);
        return false;
    }
    for (i = r->offset; i < r->offset + r->size; i++) {
        if (d->at[i]) {
            g_set_error(errp, XPF_ERROR, 0,
                        "register %s at 0x%x overlaps %s at 0x%x", r->name,
                        r->offset, d->regs[d->at[i] - 1].d.name,
                        d->regs[d->at[i] - 1].d.offset);
            return false;
        }
    }
    if (d->nregs >= XPF_MAX_REGS) {
        g_set_error(errp, XPF_ERROR, 0, "too many registers (%u)",
                    XPF_MAX_REGS);
        return false;
    }
    return true;
}

static void xpf_reindex(XpfDevice *d)
{
    unsigned i, b;

    memset(d->at, 0, sizeof(d->at));
    for (i = 0; i < d->nregs; i++) {
        for (b = 0; b < d->regs[i].d.size; b++) {
            d->at[d->regs[i].d.offset + b] = i + 1;
        }
    }
}

static XpfReg *xpf_insert(XpfDevice *d, const XpfRegDesc *desc)
{
    unsigned pos = 0;
    XpfReg *r;

    if (d->nregs == d->alloc) {
        d->alloc = MIN(MAX(d->alloc * 2, 64u), XPF_MAX_REGS);
        d->regs = g_renew(XpfReg, d->regs, d->alloc);
    }
    while (pos < d->nregs && d->regs[pos].d.offset < desc->offset) {
        pos++;
    }
    memmove(&d->regs[pos + 1], &d->regs[pos],
            (d->nregs - pos) * sizeof(*d->regs));
    d->nregs++;
    r = &d->regs[pos];
    *r = (XpfReg) {
        .d = *desc,
        .val = desc->init,
        .width = xpf_width_mask(desc->size),
    };
    r->hostbits = r->width & ~(desc->emu | desc->rsvdz);
    if (!r->d.name) {
        r->d.name = "register";
    }
    xpf_reindex(d);
    return r;
}

bool xpf_add_reg(XpfDevice *d, const XpfRegDesc *desc, GError **errp)
{
    if (!xpf_check_desc(d, desc, errp)) {
        return false;
    }
    xpf_insert(d, desc);
    return true;
}

const XpfRegDesc *xpf_find_reg(const XpfDevice *d, unsigned off)
{
    unsigned i = off < XPF_CFG_SIZE ? d->at[off] : 0;

    return i ? &d->regs[i - 1].d : NULL;
}

/* MSI and MSI-X are virtual: no quirk may reach into them. */
static bool xpf_quirk_outside_msi(const XpfDevice *d, unsigned off,
                                  unsigned size, GError **errp)
{
    const struct {
        unsigned pos, len;
        const char *name;
    } caps[] = {
        { d->cap_msi, d->cap_msi_len, "MSI" },
        { d->cap_msix, XPF_MSIX_LEN, "MSI-X" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(caps); i++) {
        if (caps[i].pos && off < caps[i].pos + caps[i].len &&
            off + size > caps[i].pos) {
            g_set_error(errp, XPF_ERROR, 0, "quirk at 0x%x: inside the %s "
                        "capability (0x%x-0x%x), which is virtual", off,
                        caps[i].name, caps[i].pos,
                        caps[i].pos + caps[i].len - 1);
            return false;
        }
    }
    return true;
}

bool xpf_add_quirk(XpfDevice *d, unsigned off, unsigned size, uint32_t mask,
                   GError **errp)
{
    XpfRegDesc q = {
        .offset = off, .size = size, .event = -1, .name = "quirk",
    };

    if (size != 1 && size != 2 && size != 4) {
        g_set_error(errp, XPF_ERROR, 0, "quirk at 0x%x: size %u is not "
                    "1, 2 or 4", off, size);
        return false;
    }
    if (off >= XPF_CFG_SIZE || mask & ~xpf_width_mask(size)) {
        g_set_error(errp, XPF_ERROR, 0, "quirk at 0x%x: offset or mask "
                    "0x%x out of range", off, mask);
        return false;
    }
    q.ro = xpf_width_mask(size) & ~mask;
    if (!xpf_quirk_outside_msi(d, off, size, errp) ||
        !xpf_check_desc(d, &q, errp)) {
        return false;
    }
    xpf_insert(d, &q)->quirk = true;
    return true;
}

bool xpf_remove_quirk(XpfDevice *d, unsigned off, GError **errp)
{
    unsigned i = off < XPF_CFG_SIZE ? d->at[off] : 0;

    if (!i || !d->regs[i - 1].quirk || d->regs[i - 1].d.offset != off) {
        g_set_error(errp, XPF_ERROR, 0, "no quirk starts at 0x%x", off);
        return false;
    }
    i--;
    memmove(&d->regs[i], &d->regs[i + 1],
            (d->nregs - i - 1) * sizeof(*d->regs));
    d->nregs--;
    xpf_reindex(d);
    return true;
}

/* ---- device ---- */

static bool xpf_check_config(const XpfConfig *c, GError **errp)
{
    uint16_t vendor;
    uint8_t type;

    if (!c->host || !c->host->read || !c->host->write) {
        g_set_error(errp, XPF_ERROR, 0, "no host accessor");
        return false;
    }
    if (!c->cfg || (c->cfg_len != XPF_CFG_LEGACY_SIZE &&
                    c->cfg_len != XPF_CFG_SIZE)) {
        g_set_error(errp, XPF_ERROR, 0, "host config space is %zu bytes, "
                    "expected 256 or 4096", c->cfg_len);
        return false;
    }
    vendor = c->cfg[0] | c->cfg[1] << 8;
    if (vendor == 0xffff || vendor == 0) {
        g_set_error(errp, XPF_ERROR, 0, "no function present (vendor ID "
                    "0x%04x)", vendor);
        return false;
    }
    type = c->cfg[XPF_HEADER_TYPE] & 0x7f;
    if (type == 1) {
        g_set_error(errp, XPF_ERROR, 0, "function is a PCI-to-PCI bridge "
                    "(header type 1); bridges cannot be passed through");
        return false;
    }
    if (type != 0) {
        g_set_error(errp, XPF_ERROR, 0, "unsupported header type %u", type);
        return false;
    }
    return true;
}

XpfDevice *xpf_device_new(const XpfConfig *c, GError **errp)
{
    XpfDevice *d;

    if (!xpf_check_config(c, errp)) {
        return NULL;
    }
    d = g_new0(XpfDevice, 1);
    d->host = *c->host;
    d->host_opaque = c->host_opaque;
    if (c->path) {
        d->path = *c->path;
    }
    d->path_opaque = c->path_opaque;
    d->policy = c->policy;
    d->cfg_size = c->cfg_len;
    d->hide_msi = c->hide_msi;
    d->msi_single = c->msi_single;
    memcpy(d->bars, c->bars, sizeof(d->bars));
    if (!xpf_register_layout(d, c->cfg, c->extcaps, errp)) {
        xpf_device_free(d);
        return NULL;
    }
    /* Keep only what the layout uses; quirks grow the array again. */
    d->alloc = d->nregs;
    d->regs = g_renew(XpfReg, d->regs, d->alloc);
    return d;
}

void xpf_device_free(XpfDevice *d)
{
    if (d) {
        g_free(d->regs);
        g_free(d);
    }
}

size_t xpf_device_footprint(const XpfDevice *d)
{
    return sizeof(*d) + d->alloc * sizeof(*d->regs);
}

void xpf_set_policy(XpfDevice *d, const XpfPolicy *p)
{
    d->policy = *p;
}

XpfPolicy xpf_get_policy(const XpfDevice *d)
{
    return d->policy;
}

bool xpf_set_emulated(XpfDevice *d, unsigned off, uint32_t val)
{
    unsigned i = off < XPF_CFG_SIZE ? d->at[off] : 0;
    XpfReg *r;

    if (!i || d->regs[i - 1].d.offset != off) {
        return false;
    }
    r = &d->regs[i - 1];
    r->val = (r->val & ~r->d.emu) | (val & r->d.emu);
    return true;
}

uint32_t xpf_get_emulated(const XpfDevice *d, unsigned off)
{
    unsigned i = off < XPF_CFG_SIZE ? d->at[off] : 0;

    if (!i || d->regs[i - 1].d.offset != off) {
        return 0;
    }
    return d->regs[i - 1].val & d->regs[i - 1].d.emu;
}

void xpf_get_stats(const XpfDevice *d, XpfStats *out)
{
    *out = d->stats;
}

uint64_t xpf_denied_writes(const XpfDevice *d)
{
    return d->stats.decisions[XPF_DEC_DROPPED] +
           d->stats.decisions[XPF_DEC_REFUSED];
}

const char *xpf_decision_name(XpfDecision dec)
{
    static const char *const names[XPF_DEC__COUNT] = {
        [XPF_DEC_ALLOWED] = "allowed",
        [XPF_DEC_EMULATED] = "emulated",
        [XPF_DEC_DROPPED] = "dropped",
        [XPF_DEC_REFUSED] = "refused",
    };

    return (unsigned)dec < XPF_DEC__COUNT ? names[dec] : "?";
}

XpfKnob xpf_denied_knob(XpfDecision dec, const char *why)
{
    static const struct {
        const char *why;
        XpfKnob knob;
    } knobs[] = {
        { XPF_WHY_UNLISTED, XPF_KNOB_PERMISSIVE_OR_QUIRK },
        { XPF_WHY_MSI_NEEDS_INTR, XPF_KNOB_INTR_CONTROL },
        { XPF_WHY_MSIX_NEEDS_INTR, XPF_KNOB_INTR_CONTROL },
        { XPF_WHY_INTX_ONE_TYPE, XPF_KNOB_PERMISSIVE },
        { XPF_WHY_MSI_ONE_TYPE, XPF_KNOB_PERMISSIVE },
        { XPF_WHY_MSIX_ONE_TYPE, XPF_KNOB_PERMISSIVE },
    };
    unsigned i;

    if (dec != XPF_DEC_DROPPED && dec != XPF_DEC_REFUSED) {
        return XPF_KNOB_NONE;
    }
    for (i = 0; why && i < G_N_ELEMENTS(knobs); i++) {
        if (!strcmp(why, knobs[i].why)) {
            return knobs[i].knob;
        }
    }
    return XPF_KNOB_NONE;
}

const char *xpf_event_name(XpfEventKind kind)
{
    static const char *const names[XPF_EV__COUNT] = {
        [XPF_EV_COMMAND] = "command",
        [XPF_EV_BAR] = "bar",
        [XPF_EV_ROM] = "rom",
        [XPF_EV_MSI_CTRL] = "msi-ctrl",
        [XPF_EV_MSI_ADDR] = "msi-addr",
        [XPF_EV_MSI_DATA] = "msi-data",
        [XPF_EV_MSI_MASK] = "msi-mask",
        [XPF_EV_MSIX_CTRL] = "msix-ctrl",
        [XPF_EV_PM_STATE] = "pm-state",
    };

    return (unsigned)kind < XPF_EV__COUNT ? names[kind] : "?";
}
