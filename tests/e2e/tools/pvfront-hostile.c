/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * pvfront-hostile: a hostile PV-PCI frontend, run as root in a PV domU
 * instead of xen-pcifront.  It drives device/pci/0 of its own domain
 * itself: xenstore through /dev/xen/xenbus, the shared page through
 * /dev/xen/gntalloc, the event channel through /dev/xen/evtchn.
 *
 *   pvfront-hostile [-d VVVV:DDDD] [-n NOTIFIES] [-w SECONDS]
 *
 * It connects, checks valid config reads of the first exported function
 * (vdev-0) against -d, then attacks the backend: event storms, invalid
 * ops and sizes, flag flips and op rewrites while an op is in flight,
 * garbage in the AER fields, bad connection attempts, and disconnects
 * while an op is active.  After every phase a valid read must come back
 * with the right answer within a time limit.  Output lines:
 *
 *   PASS: <check>
 *   FAIL: <check>: <why>
 *   INFO: <text>
 *   TALLY: err1=N err2=N err3=N err4=N err5=N ops=N notifies=N
 *
 * TALLY counts the errors the backend answered to the deterministic
 * phases (its own stats must count at least these).  Exit status: 0 when
 * every check passed, 1 otherwise, 2 when it could not start.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <xen/xen.h>
#include <xen/io/pciif.h>
#include <xen/io/xenbus.h>
#include <xen/io/xs_wire.h>
#include <xen/sys/evtchn.h>
#include <xen/sys/gntalloc.h>

#define PAGE_SZ         4096
#define OP_TIMEOUT_MS   2000    /* xen-pcifront gives up after ~2 s too */
#define STATE_WAIT_MS   10000
#define SENTINEL        0x5a5a5a5a

typedef struct Front {
    int xs;                     /* /dev/xen/xenbus */
    int evt;                    /* /dev/xen/evtchn */
    int gnt;                    /* /dev/xen/gntalloc */
    uint32_t req_id;
    char be[256];               /* backend path */
    unsigned be_id;
    uint32_t gref;
    uint64_t gnt_index;
    unsigned port;
    /* volatile: the backend reads and writes it concurrently */
    volatile struct xen_pci_sharedinfo *sh;
    bool connected;
    /* the function under test, from vdev-0 */
    uint32_t dom, bus, devfn;
    uint32_t want_id;           /* device << 16 | vendor */
    unsigned msi_cap;
    uint64_t notifies;
    uint64_t backend_events;    /* notifications the backend sent us */
    uint64_t tally[6];          /* -err of deterministic answers */
    uint64_t tally_ops;
    unsigned fails;
} Front;

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static int64_t now_ms(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

static int64_t now_us(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

static void sleep_ms(unsigned ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&t, NULL);
}

static void out(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static void pass(Front *f, const char *name)
{
    out("PASS: %s", name);
}

static void failf(Front *f, const char *name, const char *fmt, ...)
{
    char why[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    out("FAIL: %s: %s", name, why);
    f->fails++;
}

/* ---- xenstore over /dev/xen/xenbus ---- */

/* All of @len bytes, written (@wr) or read, across short transfers. */
static bool xfer_all(int fd, void *buf, size_t len, bool wr)
{
    char *p = buf;

    while (len) {
        ssize_t n = wr ? write(fd, p, len) : read(fd, p, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        p += n;
        len -= n;
    }
    return true;
}

static bool write_all(int fd, const void *buf, size_t len)
{
    return xfer_all(fd, (void *)buf, len, true);
}

static bool read_all(int fd, void *buf, size_t len)
{
    return xfer_all(fd, buf, len, false);
}

/*
 * One request: @a and @b (either may be NULL) are sent with their NULs
 * ("path\0value" for a write sends the value without its NUL).  Returns
 * the reply payload, NUL-terminated (caller frees), or NULL; an XS_ERROR
 * reply is NULL with errno set to EIO.
 */
static char *xs_req(Front *f, uint32_t type, const char *a, const char *b)
{
    struct xsd_sockmsg m = { .type = type, .req_id = ++f->req_id };
    size_t la = a ? strlen(a) + 1 : 0, lb = b ? strlen(b) : 0;
    char buf[sizeof(m) + 2 * 1024];
    char *reply;

    if (la + lb > sizeof(buf) - sizeof(m)) {
        errno = E2BIG;
        return NULL;
    }
    m.len = la + lb;
    memcpy(buf, &m, sizeof(m));
    if (la) {
        memcpy(buf + sizeof(m), a, la);
    }
    if (lb) {
        memcpy(buf + sizeof(m) + la, b, lb);
    }
    if (!write_all(f->xs, buf, sizeof(m) + m.len) ||
        !read_all(f->xs, &m, sizeof(m)) || m.len > XENSTORE_PAYLOAD_MAX) {
        errno = EPROTO;
        return NULL;
    }
    reply = calloc(1, m.len + 1);
    if (!reply || !read_all(f->xs, reply, m.len)) {
        free(reply);
        errno = EPROTO;
        return NULL;
    }
    if (m.type == XS_ERROR) {
        free(reply);
        errno = EIO;
        return NULL;
    }
    return reply;
}

static char *xs_read(Front *f, const char *path)
{
    return xs_req(f, XS_READ, path, NULL);
}

static bool xs_write(Front *f, const char *path, const char *val)
{
    char *r = xs_req(f, XS_WRITE, path, val);

    free(r);
    return r != NULL;
}

static bool xs_printf(Front *f, const char *key, const char *fmt, ...)
{
    char path[300], val[64];
    va_list ap;

    snprintf(path, sizeof(path), "device/pci/0/%s", key);
    va_start(ap, fmt);
    vsnprintf(val, sizeof(val), fmt, ap);
    va_end(ap);
    return xs_write(f, path, val);
}

/* The backend's @key as an unsigned number, or -1. */
static long be_num(Front *f, const char *key)
{
    char path[300], *v;
    long n;

    snprintf(path, sizeof(path), "%s/%s", f->be, key);
    v = xs_read(f, path);
    if (!v || sscanf(v, "%ld", &n) != 1) {
        n = -1;
    }
    free(v);
    return n;
}

/* Wait until the backend's state is one of @mask (bits); the state or -1. */
static long wait_be_state(Front *f, unsigned mask, unsigned ms)
{
    int64_t end = now_ms() + ms;
    long st;

    for (;;) {
        st = be_num(f, "state");
        if (st >= 0 && st < 32 && (mask & (1u << st))) {
            return st;
        }
        if (now_ms() > end) {
            return st;
        }
        sleep_ms(20);
    }
}

static bool set_state(Front *f, unsigned st)
{
    return xs_printf(f, "state", "%u", st);
}

/* ---- event channel and granted page ---- */

static void notify(Front *f)
{
    struct ioctl_evtchn_notify n = { .port = f->port };

    ioctl(f->evt, IOCTL_EVTCHN_NOTIFY, &n);
    f->notifies++;
}

/* Take the notifications the backend sent (and unmask the port). */
static void drain_events(Front *f, int timeout_ms)
{
    struct pollfd p = { .fd = f->evt, .events = POLLIN };
    unsigned ports[16];
    ssize_t n;

    if (poll(&p, 1, timeout_ms) <= 0) {
        return;
    }
    n = read(f->evt, ports, sizeof(ports));
    if (n > 0) {
        f->backend_events += n / sizeof(ports[0]);
        write_all(f->evt, ports, n);
    }
}

static bool alloc_channel(Front *f)
{
    struct ioctl_gntalloc_alloc_gref a = {
        .domid = f->be_id, .flags = GNTALLOC_FLAG_WRITABLE, .count = 1,
    };
    struct ioctl_evtchn_bind_unbound_port u = { .remote_domain = f->be_id };
    void *p;
    int port;

    if (ioctl(f->gnt, IOCTL_GNTALLOC_ALLOC_GREF, &a) < 0) {
        out("INFO: gntalloc: %s", strerror(errno));
        return false;
    }
    p = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED, f->gnt,
             a.index);
    if (p == MAP_FAILED) {
        out("INFO: mmap of the granted page: %s", strerror(errno));
        return false;
    }
    memset(p, 0, PAGE_SZ);
    f->sh = p;
    f->gref = a.gref_ids[0];
    f->gnt_index = a.index;
    port = ioctl(f->evt, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &u);
    if (port < 0) {
        out("INFO: evtchn bind: %s", strerror(errno));
        return false;
    }
    f->port = port;
    return true;
}

static void free_channel(Front *f)
{
    struct ioctl_gntalloc_dealloc_gref d = { .index = f->gnt_index,
                                             .count = 1 };
    struct ioctl_evtchn_unbind u = { .port = f->port };

    if (f->port) {
        ioctl(f->evt, IOCTL_EVTCHN_UNBIND, &u);
        f->port = 0;
    }
    if (f->sh) {
        munmap((void *)f->sh, PAGE_SZ);
        ioctl(f->gnt, IOCTL_GNTALLOC_DEALLOC_GREF, &d);
        f->sh = NULL;
    }
}

/* Publish ref/port/magic, Initialised; true once the backend Connected. */
static bool connect_front(Front *f, uint32_t gref, unsigned port,
                          const char *magic, unsigned wait_ms)
{
    long st;

    if (!xs_printf(f, "pci-op-ref", "%u", gref) ||
        !xs_printf(f, "event-channel", "%u", port) ||
        !xs_printf(f, "magic", "%s", magic) ||
        !set_state(f, XenbusStateInitialised)) {
        out("INFO: xenstore writes failed: %s", strerror(errno));
        return false;
    }
    st = wait_be_state(f, 1u << XenbusStateConnected, wait_ms);
    if (st != XenbusStateConnected) {
        return false;
    }
    set_state(f, XenbusStateConnected);
    f->connected = true;
    return true;
}

/* ---- ops ---- */

static void set_active(Front *f)
{
    __atomic_fetch_or((uint32_t *)&f->sh->flags, XEN_PCIF_active,
                      __ATOMIC_SEQ_CST);
}

static void clear_active(Front *f)
{
    __atomic_fetch_and((uint32_t *)&f->sh->flags, ~(uint32_t)XEN_PCIF_active,
                       __ATOMIC_SEQ_CST);
}

static bool is_active(Front *f)
{
    return __atomic_load_n((uint32_t *)&f->sh->flags, __ATOMIC_ACQUIRE) &
           XEN_PCIF_active;
}

static void post_op(Front *f, uint32_t cmd, uint32_t dom, uint32_t bus,
                    uint32_t devfn, int32_t off, int32_t size, uint32_t value)
{
    /* volatile: shared with the backend, which answers concurrently */
    volatile struct xen_pci_op *op = &f->sh->op;

    op->cmd = cmd;
    op->err = SENTINEL;
    op->domain = dom;
    op->bus = bus;
    op->devfn = devfn;
    op->offset = off;
    op->size = size;
    op->value = value;
    op->info = rnd();
    __atomic_thread_fence(__ATOMIC_RELEASE);
    set_active(f);
    notify(f);
}

/* Wait for the backend to clear the active flag; false on timeout. */
static bool wait_done(Front *f, unsigned ms)
{
    int64_t end = now_ms() + ms;
    unsigned spins = 0;

    while (is_active(f)) {
        if (now_ms() > end) {
            return false;
        }
        if (++spins < 50) {
            sched_yield();
        } else {
            drain_events(f, 2);
        }
    }
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return true;
}

static bool err_valid(int32_t err)
{
    return err <= XEN_PCI_ERR_success && err >= XEN_PCI_ERR_op_failed;
}

/*
 * One op and its answer.  Returns false on timeout (why in @why); the
 * answer in @err / @value.  Counted in the tally when @count.
 */
static bool do_op(Front *f, uint32_t cmd, uint32_t dom, uint32_t bus,
                  uint32_t devfn, int32_t off, int32_t size, uint32_t value,
                  int32_t *err, uint32_t *val, bool count)
{
    post_op(f, cmd, dom, bus, devfn, off, size, value);
    if (!wait_done(f, OP_TIMEOUT_MS)) {
        clear_active(f);
        return false;
    }
    *err = f->sh->op.err;
    *val = f->sh->op.value;
    if (count && err_valid(*err)) {
        f->tally[-*err]++;
        f->tally_ops++;
    }
    return true;
}

static bool conf_read(Front *f, int32_t off, int32_t size, uint32_t *v,
                      int32_t *err)
{
    return do_op(f, XEN_PCI_OP_conf_read, f->dom, f->bus, f->devfn, off,
                 size, 0, err, v, true);
}

/*
 * The health check between phases: the vendor/device dword, right and in
 * time.  Waits first for any op a phase left in flight.
 */
static bool valid_read(Front *f, const char *phase)
{
    char name[64];
    int32_t err;
    uint32_t v;
    int64_t t0;

    snprintf(name, sizeof(name), "%s/valid-read", phase);
    if (is_active(f) && !wait_done(f, OP_TIMEOUT_MS)) {
        failf(f, name, "an op left in flight was never answered");
        clear_active(f);
        return false;
    }
    t0 = now_us();
    if (!conf_read(f, 0, 4, &v, &err)) {
        failf(f, name, "no answer within %d ms", OP_TIMEOUT_MS);
        return false;
    }
    if (err != XEN_PCI_ERR_success || v != f->want_id) {
        failf(f, name, "err %d value 0x%08x, expected 0 / 0x%08x", err, v,
              f->want_id);
        return false;
    }
    pass(f, name);
    out("INFO: %s: valid read answered in %lld us", phase,
        (long long)(now_us() - t0));
    return true;
}

/* ---- phases ---- */

static bool phase_connect(Front *f, unsigned wait_s)
{
    char *v, path[300];
    unsigned d, b, s, fn;
    int64_t end = now_ms() + wait_s * 1000LL;
    long st;

    /* The backend (our QEMU) is started after the domain: wait for it. */
    for (;;) {
        v = xs_read(f, "device/pci/0/backend");
        if (v) {
            break;
        }
        if (now_ms() > end) {
            failf(f, "connect", "no device/pci/0/backend after %u s",
                  wait_s);
            return false;
        }
        sleep_ms(200);
    }
    snprintf(f->be, sizeof(f->be), "%s", v);
    free(v);
    v = xs_read(f, "device/pci/0/backend-id");
    if (!v || sscanf(v, "%u", &f->be_id) != 1) {
        f->be_id = 0;
    }
    free(v);
    st = wait_be_state(f, 1u << XenbusStateInitWait, STATE_WAIT_MS);
    if (st != XenbusStateInitWait) {
        failf(f, "connect", "backend %s in state %ld, not InitWait", f->be,
              st);
        return false;
    }
    if (!alloc_channel(f)) {
        failf(f, "connect", "cannot set up the page or the event channel");
        return false;
    }
    if (!connect_front(f, f->gref, f->port, XEN_PCI_MAGIC, STATE_WAIT_MS)) {
        failf(f, "connect", "backend state %ld, not Connected",
              be_num(f, "state"));
        return false;
    }
    snprintf(path, sizeof(path), "%s/vdev-0", f->be);
    v = xs_read(f, path);
    if (!v || sscanf(v, "%x:%x:%x.%x", &d, &b, &s, &fn) != 4) {
        failf(f, "connect", "no usable vdev-0 ('%s')", v ? v : "");
        free(v);
        return false;
    }
    out("INFO: backend %s (domain %u), gref %u, port %u, vdev-0 %s, "
        "root_num %ld, num_devs %ld", f->be, f->be_id, f->gref, f->port, v,
        be_num(f, "root_num"), be_num(f, "num_devs"));
    free(v);
    f->dom = d;
    f->bus = b;
    f->devfn = (s << 3) | fn;
    pass(f, "connect");
    return true;
}

/* Vendor, device, dword, and the capability list (for the MSI cap). */
static void phase_valid(Front *f)
{
    uint32_t v, id = 0, st = 0;
    int32_t err;
    unsigned pos, guard = 0;
    int64_t t0 = now_us();
    bool ok = true;
    int i;

    for (i = 0; i < 2 && ok; i++) {
        ok = conf_read(f, i * 2, 2, &v, &err) && err == 0;
        id |= v << (16 * i);
    }
    if (!ok || id != f->want_id) {
        failf(f, "ids", "vendor/device 0x%08x (err %d), expected 0x%08x",
              id, ok ? 0 : err, f->want_id);
    } else {
        pass(f, "ids");
    }
    out("INFO: 3 reads in %lld us", (long long)(now_us() - t0));
    valid_read(f, "first");

    /* Capability list: status bit 4, pointer at 0x34. */
    if (conf_read(f, 0x06, 2, &st, &err) && !err && (st & 0x10) &&
        conf_read(f, 0x34, 1, &v, &err) && !err) {
        pos = v & 0xfc;
        while (pos && guard++ < 48) {
            uint32_t hdr;

            if (!conf_read(f, pos, 2, &hdr, &err) || err) {
                break;
            }
            if ((hdr & 0xff) == 0x05) {
                f->msi_cap = pos;
            }
            pos = (hdr >> 8) & 0xfc;
        }
    }
    out("INFO: status 0x%04x, MSI capability at 0x%02x", st, f->msi_cap);
    t0 = now_us();
    for (i = 0; i < 200; i++) {
        if (!conf_read(f, 0, 2, &v, &err) || err ||
            v != (f->want_id & 0xffff)) {
            failf(f, "read-loop", "read %d: err %d value 0x%x", i, err, v);
            return;
        }
    }
    pass(f, "read-loop");
    out("INFO: 200 vendor reads, %lld us per read",
        (long long)(now_us() - t0) / 200);
}

static void phase_storm(Front *f, unsigned n)
{
    uint64_t ev0 = f->backend_events;
    int64_t t0 = now_ms();
    unsigned i, bad = 0, rounds = 0;
    int32_t err;
    uint32_t v;

    /* No op pending: every event is spurious for the backend. */
    for (i = 0; i < n; i++) {
        notify(f);
    }
    out("INFO: storm-idle: %u notifies in %lld ms", n,
        (long long)(now_ms() - t0));
    valid_read(f, "storm-idle");

    /* With an op in flight: it must be answered once, correctly. */
    t0 = now_ms();
    for (i = 0; i < n; i += 100) {
        unsigned k;

        post_op(f, XEN_PCI_OP_conf_read, f->dom, f->bus, f->devfn, 0, 4, 0);
        for (k = 0; k < 100; k++) {
            notify(f);
        }
        if (!wait_done(f, OP_TIMEOUT_MS)) {
            clear_active(f);
            failf(f, "storm-active", "op %u not answered in %d ms", rounds,
                  OP_TIMEOUT_MS);
            return;
        }
        err = f->sh->op.err;
        v = f->sh->op.value;
        if (err || v != f->want_id) {
            bad++;
        }
        rounds++;
    }
    /* And a storm right after an answer. */
    post_op(f, XEN_PCI_OP_conf_read, f->dom, f->bus, f->devfn, 0, 4, 0);
    wait_done(f, OP_TIMEOUT_MS);
    for (i = 0; i < n / 4; i++) {
        notify(f);
    }
    if (bad) {
        failf(f, "storm-active", "%u of %u answers wrong", bad, rounds);
    } else {
        pass(f, "storm-active");
    }
    out("INFO: storm-active: %u ops under %u notifies in %lld ms, backend "
        "notified us %llu times", rounds, n + n / 4,
        (long long)(now_ms() - t0),
        (unsigned long long)(f->backend_events - ev0));
    valid_read(f, "storm-active");
}

typedef struct BadOp {
    const char *name;
    uint32_t cmd;
    int64_t dom, bus, devfn;    /* OWN: the function's own */
    int32_t off, size;
    uint32_t value;
    int32_t want;
} BadOp;

#define OWN (-1)

static const BadOp bad_ops[] = {
    { "cmd-11", 11, OWN, OWN, OWN, 0, 4, 0, XEN_PCI_ERR_not_implemented },
    { "cmd-0x7fffffff", 0x7fffffff, OWN, OWN, OWN, 0, 4, 0,
      XEN_PCI_ERR_not_implemented },
    { "cmd-0xffffffff", 0xffffffff, OWN, OWN, OWN, 0, 4, 0,
      XEN_PCI_ERR_not_implemented },
    { "cmd-aer_detected", XEN_PCI_OP_aer_detected, OWN, OWN, OWN, 0, 4, 0,
      XEN_PCI_ERR_not_implemented },
    { "cmd-aer_resume", XEN_PCI_OP_aer_resume, OWN, OWN, OWN, 0, 4, 0,
      XEN_PCI_ERR_not_implemented },
    { "cmd-aer_mmio", XEN_PCI_OP_aer_mmio, OWN, OWN, OWN, 0, 4, 0,
      XEN_PCI_ERR_not_implemented },
    { "cmd-aer_slotreset", XEN_PCI_OP_aer_slotreset, OWN, OWN, OWN, 0, 4, 0,
      XEN_PCI_ERR_not_implemented },
    { "read-size-0", XEN_PCI_OP_conf_read, OWN, OWN, OWN, 0, 0, 0,
      XEN_PCI_ERR_invalid_offset },
    { "read-size-3", XEN_PCI_OP_conf_read, OWN, OWN, OWN, 0, 3, 0,
      XEN_PCI_ERR_invalid_offset },
    { "read-size-8", XEN_PCI_OP_conf_read, OWN, OWN, OWN, 0, 8, 0,
      XEN_PCI_ERR_invalid_offset },
    { "read-size--1", XEN_PCI_OP_conf_read, OWN, OWN, OWN, 0, -1, 0,
      XEN_PCI_ERR_invalid_offset },
    { "read-size-huge", XEN_PCI_OP_conf_read, OWN, OWN, OWN, 0, 0x7fffffff,
      0, XEN_PCI_ERR_invalid_offset },
    { "read-off-0x1000", XEN_PCI_OP_conf_read, OWN, OWN, OWN, 0x1000, 4, 0,
      XEN_PCI_ERR_invalid_offset },
    { "read-off-huge", XEN_PCI_OP_conf_read, OWN, OWN, OWN, 0x7ffffffc, 4,
      0, XEN_PCI_ERR_invalid_offset },
    { "read-off--4", XEN_PCI_OP_conf_read, OWN, OWN, OWN, -4, 4, 0,
      XEN_PCI_ERR_invalid_offset },
    { "read-off-min", XEN_PCI_OP_conf_read, OWN, OWN, OWN, INT32_MIN, 1, 0,
      XEN_PCI_ERR_invalid_offset },
    { "read-misaligned-1/2", XEN_PCI_OP_conf_read, OWN, OWN, OWN, 1, 2, 0,
      XEN_PCI_ERR_invalid_offset },
    { "read-misaligned-2/4", XEN_PCI_OP_conf_read, OWN, OWN, OWN, 2, 4, 0,
      XEN_PCI_ERR_invalid_offset },
    { "read-misaligned-0xfff/4", XEN_PCI_OP_conf_read, OWN, OWN, OWN, 0xfff,
      4, 0, XEN_PCI_ERR_invalid_offset },
    { "read-misaligned-0xffe/4", XEN_PCI_OP_conf_read, OWN, OWN, OWN, 0xffe,
      4, 0, XEN_PCI_ERR_invalid_offset },
    { "write-size-0", XEN_PCI_OP_conf_write, OWN, OWN, OWN, 4, 0, 0xffff,
      XEN_PCI_ERR_invalid_offset },
    { "write-size-3", XEN_PCI_OP_conf_write, OWN, OWN, OWN, 4, 3, 0xffff,
      XEN_PCI_ERR_invalid_offset },
    { "write-size-8", XEN_PCI_OP_conf_write, OWN, OWN, OWN, 4, 8, 0xffff,
      XEN_PCI_ERR_invalid_offset },
    { "write-off-0x1000", XEN_PCI_OP_conf_write, OWN, OWN, OWN, 0x1000, 4,
      0xffffffff, XEN_PCI_ERR_invalid_offset },
    { "write-off--2", XEN_PCI_OP_conf_write, OWN, OWN, OWN, -2, 2, 0xffff,
      XEN_PCI_ERR_invalid_offset },
    { "write-misaligned-3/2", XEN_PCI_OP_conf_write, OWN, OWN, OWN, 3, 2,
      0xffff, XEN_PCI_ERR_invalid_offset },
    { "bus-1", XEN_PCI_OP_conf_read, OWN, 1, OWN, 0, 4, 0,
      XEN_PCI_ERR_dev_not_found },
    { "bus-huge", XEN_PCI_OP_conf_read, OWN, 0xffffffff, OWN, 0, 4, 0,
      XEN_PCI_ERR_dev_not_found },
    { "domain-1", XEN_PCI_OP_conf_read, 1, OWN, OWN, 0, 4, 0,
      XEN_PCI_ERR_dev_not_found },
    { "domain-huge", XEN_PCI_OP_conf_read, 0xffffffff, OWN, OWN, 0, 4, 0,
      XEN_PCI_ERR_dev_not_found },
    { "devfn-huge", XEN_PCI_OP_conf_read, OWN, OWN, 0xffffff00, 0, 4, 0,
      XEN_PCI_ERR_dev_not_found },
    { "devfn-0x08", XEN_PCI_OP_conf_read, OWN, OWN, 0x08, 0, 4, 0,
      XEN_PCI_ERR_dev_not_found },
    { "devfn-0x07", XEN_PCI_OP_conf_read, OWN, OWN, 0x07, 0, 4, 0,
      XEN_PCI_ERR_dev_not_found },
    { "devfn-0xff", XEN_PCI_OP_conf_read, OWN, OWN, 0xff, 0, 4, 0,
      XEN_PCI_ERR_dev_not_found },
    { "devfn-0x100", XEN_PCI_OP_conf_read, OWN, OWN, 0x100, 0, 4, 0,
      XEN_PCI_ERR_dev_not_found },
    { "unknown-dev-and-cmd", 0xdead, OWN, 7, 0x33, 0, 4, 0,
      XEN_PCI_ERR_dev_not_found },
    { "unknown-dev-msix", XEN_PCI_OP_enable_msix, OWN, OWN, 0x10, 0, 0,
      0xffffffff, XEN_PCI_ERR_dev_not_found },
    { "msix-nr-huge", XEN_PCI_OP_enable_msix, OWN, OWN, OWN, 0, 0,
      0xffffffff, XEN_PCI_ERR_op_failed },
    { "msix-nr-129", XEN_PCI_OP_enable_msix, OWN, OWN, OWN, 0, 0, 129,
      XEN_PCI_ERR_op_failed },
    { "msix-nr-0", XEN_PCI_OP_enable_msix, OWN, OWN, OWN, 0, 0, 0,
      XEN_PCI_ERR_op_failed },
    { "multi-msi-3", XEN_PCI_OP_enable_multi_msi, OWN, OWN, OWN, 0, 0, 3,
      XEN_PCI_ERR_op_failed },
    { "multi-msi-64", XEN_PCI_OP_enable_multi_msi, OWN, OWN, OWN, 0, 0, 64,
      XEN_PCI_ERR_op_failed },
    { "multi-msi-0", XEN_PCI_OP_enable_multi_msi, OWN, OWN, OWN, 0, 0, 0,
      XEN_PCI_ERR_op_failed },
    { "multi-msi-huge", XEN_PCI_OP_enable_multi_msi, OWN, OWN, OWN, 0, 0,
      0x80000000, XEN_PCI_ERR_op_failed },
};

static void phase_invalid(Front *f, unsigned rounds)
{
    unsigned i, r, wrong = 0, timeouts = 0, n = 0;
    char first[256] = "";
    int32_t err;
    uint32_t v;
    int64_t t0 = now_ms();

    for (r = 0; r < rounds; r++) {
        for (i = 0; i < sizeof(bad_ops) / sizeof(bad_ops[0]); i++) {
            const BadOp *b = &bad_ops[i];

            if (b->cmd == XEN_PCI_OP_enable_msix) {
                unsigned k;

                /* garbage entries: out-of-range and repeated indexes */
                for (k = 0; k < SH_INFO_MAX_VEC; k++) {
                    f->sh->op.msix_entries[k].entry = rnd();
                    f->sh->op.msix_entries[k].vector = rnd();
                }
            }
            n++;
            if (!do_op(f, b->cmd, b->dom == OWN ? f->dom : b->dom,
                       b->bus == OWN ? f->bus : b->bus,
                       b->devfn == OWN ? f->devfn : b->devfn, b->off,
                       b->size, b->value, &err, &v, true)) {
                timeouts++;
                if (!first[0]) {
                    snprintf(first, sizeof(first), "%s: no answer",
                             b->name);
                }
                continue;
            }
            if (err != b->want) {
                wrong++;
                if (!first[0]) {
                    snprintf(first, sizeof(first), "%s: err %d, expected "
                             "%d", b->name, err, b->want);
                }
            }
        }
    }
    if (wrong || timeouts) {
        failf(f, "invalid-ops", "%u wrong, %u unanswered of %u; first: %s",
              wrong, timeouts, n, first);
    } else {
        pass(f, "invalid-ops");
    }
    out("INFO: invalid-ops: %u ops in %lld ms", n,
        (long long)(now_ms() - t0));
    valid_read(f, "invalid-ops");
}

/*
 * Interrupt ops: disable without enable (pciback: success), MSI enabled
 * once only (XSA-157), MSI-X refused while MSI is on (and edu has none),
 * an MSI enable through config space refused (no allow_interrupt_control)
 * and logged, rate-limited, by the backend.
 */
static void phase_irq(Front *f, unsigned writes)
{
    int32_t err, err2;
    uint32_t v, v2, pirq = 0;
    unsigned i, wrong = 0;

    if (!do_op(f, XEN_PCI_OP_disable_msix, f->dom, f->bus, f->devfn, 0, 0, 0,
               &err, &v, true) || err ||
        !do_op(f, XEN_PCI_OP_disable_msi, f->dom, f->bus, f->devfn, 0, 0, 0,
               &err2, &v2, true) || err2) {
        failf(f, "disable-unenabled", "disable_msix/disable_msi: err %d/%d",
              err, err2);
    } else {
        pass(f, "disable-unenabled");
    }
    /*
     * The MSI enable bit through config space: refused, not silently
     * (while MSI is off: with MSI on, enable=1 changes nothing).
     */
    if (f->msi_cap) {
        for (i = 0; i < writes; i++) {
            if (!do_op(f, XEN_PCI_OP_conf_write, f->dom, f->bus, f->devfn,
                       f->msi_cap + 2, 2, 0x0001, &err, &v, true) ||
                err != XEN_PCI_ERR_access_denied) {
                wrong++;
            }
        }
        if (wrong) {
            failf(f, "msi-cfg-refused", "%u of %u MSI enable writes not "
                  "refused (last err %d)", wrong, writes, err);
        } else {
            pass(f, "msi-cfg-refused");
        }
    } else {
        failf(f, "msi-cfg-refused", "no MSI capability found");
    }
    if (!do_op(f, XEN_PCI_OP_enable_msi, f->dom, f->bus, f->devfn, 0, 0, 0,
               &err, &pirq, true)) {
        failf(f, "msi-once", "enable_msi not answered");
    } else if (err) {
        failf(f, "msi-once", "first enable_msi: err %d", err);
    } else if (!do_op(f, XEN_PCI_OP_enable_msi, f->dom, f->bus, f->devfn, 0,
                      0, 0, &err, &v, true) ||
               err != XEN_PCI_ERR_op_failed) {
        failf(f, "msi-once", "second enable_msi: err %d value %u", err, v);
    } else if (!do_op(f, XEN_PCI_OP_enable_msix, f->dom, f->bus, f->devfn,
                      0, 0, 1, &err, &v, true) ||
               err != XEN_PCI_ERR_op_failed) {
        failf(f, "msi-once", "enable_msix with MSI on: err %d", err);
    } else {
        pass(f, "msi-once");
        out("INFO: MSI enabled once as pirq %u", pirq);
    }
    if (!do_op(f, XEN_PCI_OP_disable_msi, f->dom, f->bus, f->devfn, 0, 0, 0,
               &err, &v, true) || err) {
        failf(f, "msi-disable", "disable_msi: err %d", err);
    } else {
        pass(f, "msi-disable");
    }
    valid_read(f, "irq-ops");
}

/*
 * While an op is in flight: rewrite its fields, clear and set the active
 * flag, notify again.  Whatever the backend copied, its answer must be a
 * defined error code (or success).
 */
static void phase_flip(Front *f, unsigned rounds)
{
    unsigned i, k, answered = 0, undefined = 0;
    int32_t bad_err = 0;
    int64_t t0 = now_ms();
    /* volatile: shared with the backend, which answers concurrently */
    volatile struct xen_pci_op *op = &f->sh->op;

    for (i = 0; i < rounds; i++) {
        post_op(f, i & 1 ? XEN_PCI_OP_enable_msix : XEN_PCI_OP_conf_read,
                f->dom, f->bus, f->devfn, 0, 4, i & 1 ? 128 : 0);
        for (k = 0; k < 4; k++) {
            switch (rnd() % 6) {
            case 0:
                op->cmd = rnd() % 14;
                break;
            case 1:
                op->size = rnd() % 9;
                break;
            case 2:
                op->offset = rnd() % 0x1200 - 0x100;
                break;
            case 3:
                op->value = rnd() % 3 ? rnd() % 140 : rnd();
                break;
            case 4:
                op->devfn = rnd() % 3 ? f->devfn : rnd();
                break;
            default:
                op->msix_entries[rnd() % SH_INFO_MAX_VEC].entry = rnd();
                break;
            }
            if (rnd() & 1) {
                clear_active(f);
            }
            set_active(f);
            notify(f);
        }
        if (wait_done(f, 200)) {
            if (op->err != SENTINEL) {
                answered++;
                if (!err_valid(op->err)) {
                    undefined++;
                    bad_err = op->err;
                }
            }
        } else {
            clear_active(f);
        }
    }
    if (undefined) {
        failf(f, "flag-flips", "%u answers with undefined error codes "
              "(e.g. %d)", undefined, bad_err);
    } else {
        pass(f, "flag-flips");
    }
    out("INFO: flag-flips: %u rounds, %u answered, in %lld ms", rounds,
        answered, (long long)(now_ms() - t0));
    sleep_ms(100);
    valid_read(f, "flag-flips");
}

/*
 * Garbage in the AER op and the backend's flag bits.  With no AER op of
 * its own in flight the backend must leave the AER fields alone, and ops
 * posted meanwhile (flags all ones) must still be answered.
 */
static void phase_aer(Front *f)
{
    /* volatile: shared with the backend */
    volatile struct xen_pcie_aer_op *a = &f->sh->aer_op;
    struct xen_pcie_aer_op last = { 0 };
    unsigned i, posted = 0, unanswered = 0;

    for (i = 0; i < 500; i++) {
        last = (struct xen_pcie_aer_op) {
            .cmd = rnd(), .err = rnd(), .domain = rnd(), .bus = rnd(),
            .devfn = rnd(),
        };
        a->cmd = last.cmd;
        a->err = last.err;
        a->domain = last.domain;
        a->bus = last.bus;
        a->devfn = last.devfn;
        __atomic_fetch_or((uint32_t *)&f->sh->flags,
                          XEN_PCIB_AERHANDLER | XEN_PCIB_active,
                          __ATOMIC_SEQ_CST);
        notify(f);
        if (i % 50 == 0) {
            /* every flag bit, the active one included */
            post_op(f, XEN_PCI_OP_conf_read, f->dom, f->bus, f->devfn, 0, 4,
                    0);
            __atomic_store_n((uint32_t *)&f->sh->flags, 0xffffffff,
                             __ATOMIC_SEQ_CST);
            notify(f);
            posted++;
            if (!wait_done(f, OP_TIMEOUT_MS)) {
                unanswered++;
            }
        }
    }
    sleep_ms(100);
    if (unanswered) {
        failf(f, "aer-garbage", "%u of %u ops posted with all flags set "
              "unanswered", unanswered, posted);
    } else if (a->cmd != last.cmd || a->err != last.err ||
               a->domain != last.domain || a->bus != last.bus ||
               a->devfn != last.devfn) {
        failf(f, "aer-garbage", "the backend rewrote the AER op (cmd %u "
              "err %d) without having posted one", a->cmd, a->err);
    } else {
        pass(f, "aer-garbage");
    }
    __atomic_store_n((uint32_t *)&f->sh->flags, 0, __ATOMIC_SEQ_CST);
    valid_read(f, "aer-garbage");
}

/* Try to connect with bad values: the backend must stay unconnected. */
static void bad_connect(Front *f, const char *name, uint32_t gref,
                        unsigned port, const char *magic)
{
    long st;

    if (connect_front(f, gref, port, magic, 1500)) {
        failf(f, name, "backend connected with gref %u port %u magic '%s'",
              gref, port, magic);
        /* back to a clean disconnected state for the next attempt */
        set_state(f, XenbusStateClosed);
        wait_be_state(f, 1u << XenbusStateClosed, STATE_WAIT_MS);
        f->connected = false;
    } else {
        st = be_num(f, "state");
        if (st == XenbusStateInitWait) {
            pass(f, name);
        } else {
            failf(f, name, "backend state %ld after the refusal", st);
        }
    }
    set_state(f, XenbusStateInitialising);
    sleep_ms(300);
}

/*
 * Many bad connection attempts in a row (wrong magic, a grant that does
 * not map, a port that does not bind): the backend must stay in InitWait,
 * and its logs bounded (dom0 checks QEMU's stderr).
 */
static void connect_flood(Front *f, unsigned n)
{
    int64_t t0 = now_ms();
    unsigned i;
    long st;

    /*
     * The port stays bad throughout: the backend reads the values when it
     * sees the state change, so a mix of two writes must never be usable.
     */
    xs_printf(f, "event-channel", "%u", f->port + 2000);
    for (i = 0; i < n; i++) {
        bool m = i & 1;

        xs_printf(f, "magic", "%s", m ? "6" : XEN_PCI_MAGIC);
        xs_printf(f, "pci-op-ref", "%u", m ? f->gref : 0x7fff0000 + i);
        set_state(f, XenbusStateInitialised);
        set_state(f, XenbusStateInitialising);
    }
    sleep_ms(1500);
    st = be_num(f, "state");
    if (st == XenbusStateInitWait) {
        pass(f, "connect-flood");
    } else {
        failf(f, "connect-flood", "backend state %ld after the flood", st);
    }
    out("INFO: connect-flood: %u bad connection attempts in %lld ms", n,
        (long long)(now_ms() - t0));
}

/* Reconnect after a close: Initialising, InitWait, new page and port. */
static bool reconnect(Front *f, const char *name, bool bad_first)
{
    long st;

    free_channel(f);
    set_state(f, XenbusStateInitialising);
    st = wait_be_state(f, 1u << XenbusStateInitWait, STATE_WAIT_MS);
    if (st != XenbusStateInitWait) {
        failf(f, name, "backend state %ld, not InitWait, after Initialising",
              st);
        return false;
    }
    if (!alloc_channel(f)) {
        failf(f, name, "cannot set up a new page / event channel");
        return false;
    }
    if (bad_first) {
        bad_connect(f, "bad-gref", 0x7ffffff0, f->port, XEN_PCI_MAGIC);
        bad_connect(f, "bad-port", f->gref, f->port + 1000, XEN_PCI_MAGIC);
        bad_connect(f, "bad-magic", f->gref, f->port, "6");
        connect_flood(f, 150);
    }
    if (!connect_front(f, f->gref, f->port, XEN_PCI_MAGIC, STATE_WAIT_MS)) {
        failf(f, name, "backend state %ld, not Connected",
              be_num(f, "state"));
        return false;
    }
    pass(f, name);
    return true;
}

/*
 * Close while an op is active, with notifies going on; the backend must
 * reach Closed, and serve a new connection afterwards.  @closing: through
 * Closing first (and storm there), else straight to Closed.
 */
static bool phase_disconnect(Front *f, const char *name, bool closing,
                             bool msi_on, bool bad_first)
{
    char sub[64];
    long st;
    int32_t err = 0, err2 = 0;
    uint32_t v;
    unsigned i;

    if (msi_on) {
        /*
         * Left enabled on purpose: the backend must undo it when the
         * frontend goes, so that enabling works again after reconnecting.
         * (The flag-flip phase may have left MSI on: disable first.)
         */
        snprintf(sub, sizeof(sub), "%s/msi-enable", name);
        if (!do_op(f, XEN_PCI_OP_disable_msi, f->dom, f->bus, f->devfn, 0, 0,
                   0, &err, &v, false) || err ||
            !do_op(f, XEN_PCI_OP_enable_msi, f->dom, f->bus, f->devfn, 0, 0,
                   0, &err2, &v, false) || err2) {
            failf(f, sub, "disable_msi / enable_msi: err %d / %d", err,
                  err2);
        } else {
            pass(f, sub);
        }
    }
    post_op(f, XEN_PCI_OP_conf_read, f->dom, f->bus, f->devfn, 0, 4, 0);
    if (closing) {
        set_state(f, XenbusStateClosing);
        for (i = 0; i < 2000; i++) {
            if (!(i % 100)) {
                set_active(f);
            }
            notify(f);
        }
        st = wait_be_state(f, 1u << XenbusStateClosing, STATE_WAIT_MS);
        if (st != XenbusStateClosing) {
            failf(f, name, "backend state %ld after Closing", st);
        }
    }
    set_state(f, XenbusStateClosed);
    for (i = 0; i < 1000; i++) {
        set_active(f);
        notify(f);
    }
    f->connected = false;
    st = wait_be_state(f, 1u << XenbusStateClosed, STATE_WAIT_MS);
    if (st != XenbusStateClosed) {
        failf(f, name, "backend state %ld, not Closed", st);
        return false;
    }
    pass(f, name);
    snprintf(sub, sizeof(sub), "%s/reconnect", name);
    if (!reconnect(f, sub, bad_first)) {
        return false;
    }
    if (msi_on) {
        snprintf(sub, sizeof(sub), "%s/msi-undone", name);
        if (!do_op(f, XEN_PCI_OP_enable_msi, f->dom, f->bus, f->devfn, 0, 0,
                   0, &err, &v, false) || err) {
            failf(f, sub, "enable_msi after reconnecting: err %d (MSI left "
                  "on by the previous connection?)", err);
        } else {
            pass(f, sub);
        }
        do_op(f, XEN_PCI_OP_disable_msi, f->dom, f->bus, f->devfn, 0, 0, 0,
              &err, &v, false);
    }
    return valid_read(f, name);
}

static bool parse_id(const char *s, uint32_t *id)
{
    unsigned v, d;

    if (sscanf(s, "%x:%x", &v, &d) != 2 || v > 0xffff || d > 0xffff) {
        return false;
    }
    *id = d << 16 | v;
    return true;
}

int main(int argc, char **argv)
{
    Front f = { .xs = -1 };
    unsigned storm = 10000, wait_s = 120;
    int c;

    if (!parse_id("1234:11e8", &f.want_id)) {
        return 2;
    }
    while ((c = getopt(argc, argv, "d:n:w:")) != -1) {
        switch (c) {
        case 'd':
            if (!parse_id(optarg, &f.want_id)) {
                fprintf(stderr, "bad -d %s (VVVV:DDDD)\n", optarg);
                return 2;
            }
            break;
        case 'n':
            if (sscanf(optarg, "%u", &storm) != 1) {
                return 2;
            }
            break;
        case 'w':
            if (sscanf(optarg, "%u", &wait_s) != 1) {
                return 2;
            }
            break;
        default:
            fprintf(stderr, "usage: %s [-d VVVV:DDDD] [-n NOTIFIES] "
                    "[-w SECONDS]\n", argv[0]);
            return 2;
        }
    }
    rng ^= (uint64_t)now_us();
    out("INFO: pvfront-hostile: expecting %04x:%04x, storms of %u, seed "
        "0x%llx", f.want_id & 0xffff, f.want_id >> 16, storm,
        (unsigned long long)rng);
    f.xs = open("/dev/xen/xenbus", O_RDWR);
    f.evt = open("/dev/xen/evtchn", O_RDWR | O_NONBLOCK);
    f.gnt = open("/dev/xen/gntalloc", O_RDWR);
    if (f.xs < 0 || f.evt < 0 || f.gnt < 0) {
        failf(&f, "connect", "cannot open /dev/xen/{xenbus,evtchn,gntalloc}"
              " (%d %d %d)", f.xs, f.evt, f.gnt);
        return 2;
    }
    if (!phase_connect(&f, wait_s)) {
        return 2;
    }
    phase_valid(&f);
    phase_storm(&f, storm);
    phase_invalid(&f, 20);
    phase_irq(&f, 2000);
    phase_flip(&f, 2000);
    phase_aer(&f);
    out("TALLY: err1=%llu err2=%llu err3=%llu err4=%llu err5=%llu ops=%llu "
        "notifies=%llu", (unsigned long long)f.tally[1],
        (unsigned long long)f.tally[2], (unsigned long long)f.tally[3],
        (unsigned long long)f.tally[4], (unsigned long long)f.tally[5],
        (unsigned long long)f.tally_ops, (unsigned long long)f.notifies);
    if (phase_disconnect(&f, "disconnect-closing", true, true, true)) {
        phase_disconnect(&f, "disconnect-closed", false, false, false);
    }
    /* Leave cleanly: Closing, Closed. */
    set_state(&f, XenbusStateClosing);
    wait_be_state(&f, 1u << XenbusStateClosing, 2000);
    set_state(&f, XenbusStateClosed);
    if (wait_be_state(&f, 1u << XenbusStateClosed, STATE_WAIT_MS) ==
        XenbusStateClosed) {
        pass(&f, "final-close");
    } else {
        failf(&f, "final-close", "backend state %ld", be_num(&f, "state"));
    }
    free_channel(&f);
    out("INFO: %llu notifies sent, backend notified us %llu times, %u "
        "failures", (unsigned long long)f.notifies,
        (unsigned long long)f.backend_events, f.fails);
    return f.fails ? 1 : 0;
}
