/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Unit tests of the PV-PCI backend's xenbus side (xpv-xenbus), without
 * Xen: a fake seam keeps the backend's xenstore directory and state, a
 * fake ring (a shared page in memory, served by the real op core), and
 * host functions from the fixtures.  The expected keys and states are what
 * Linux's xen-pciback publishes for xen-pcifront (xenbus.c): dev-N with
 * dom0's address, vdev-N with the guest's, state-N (Initialising for a hot
 * add, Initialised once exported, Closing and Closed for a removal), root-N
 * and root_num, num_devs; the backend Connected once the frontend
 * initialised, Reconfiguring for a hot add or remove, Reconfigured once the
 * frontend reconfigured, Closed when it closes.
 */
#include <string.h>
#include <xen/io/xenbus.h>
#include "xpf-test-host.h"
#include "xpv-xenbus.h"

typedef struct Seam {
    XpvXenbus x;
    XpvBackend *core;
    GHashTable *xs;              /* the backend's directory */
    unsigned state;              /* the backend's state */
    GString *states;             /* every state set, "4 7 8 " */
    unsigned locked, lock_calls;
    unsigned connects, disconnects, refusals, closes;
    bool connect_fails;
    int64_t retry_at;
    bool ring;                   /* the ring is up */
    struct xen_pci_sharedinfo sh;
    XpvSharedPage pg;
    unsigned disable_msi;        /* the op core's undo hooks called */
} Seam;

typedef struct Func {
    TestHost *h;
    XpfDevice *d;
    XpvBdf bdf;
} Func;

/* ---- the seam ---- */

static void s_lock(void *opaque)
{
    Seam *s = opaque;

    g_assert_cmpuint(s->locked, ==, 0);     /* never nested */
    s->locked++;
    s->lock_calls++;
}

static void s_unlock(void *opaque)
{
    Seam *s = opaque;

    g_assert_cmpuint(s->locked, ==, 1);
    s->locked--;
}

static void s_write(void *opaque, const char *key, const char *val)
{
    g_hash_table_insert(((Seam *)opaque)->xs, g_strdup(key), g_strdup(val));
}

static unsigned s_get_state(void *opaque)
{
    return ((Seam *)opaque)->state;
}

static void s_set_state(void *opaque, unsigned state)
{
    Seam *s = opaque;

    s->state = state;
    g_string_append_printf(s->states, "%u ", state);
}

static bool s_connect(void *opaque, GError **errp)
{
    Seam *s = opaque;

    g_assert_cmpuint(s->locked, ==, 0);
    s->connects++;
    if (s->connect_fails) {
        g_set_error(errp, XPV_ERROR, 0, "frontend: magic missing");
        return false;
    }
    memset(&s->sh, 0, sizeof(s->sh));
    s->ring = true;
    return true;
}

static void s_disconnect(void *opaque)
{
    Seam *s = opaque;

    /* the ring's thread may wait for the lock: never held here */
    g_assert_cmpuint(s->locked, ==, 0);
    s->disconnects++;
    s->ring = false;
}

/* Fixtures by host address: 00:03.0 e1000, 00:04.0 edu, 00:05.0 e1000e. */
static void *s_open_func(void *opaque, const XenPciAddr *a, unsigned n,
                         GError **errp)
{
    static const char *const fixture[] = { [3] = "e1000", [4] = "edu",
                                           [5] = "e1000e" };
    Seam *s = opaque;
    g_autofree Func *f = g_new0(Func, 1);
    XpfConfig c;
    XpvFuncConfig fc;

    g_assert_cmpuint(s->locked, ==, 1);
    if (a->domain || a->bus || a->func || a->dev < 3 || a->dev > 5) {
        g_set_error(errp, XPV_ERROR, 0, "no such host function");
        return NULL;
    }
    f->h = test_host_load(fixture[a->dev], errp);
    g_assert_nonnull(f->h);
    c = test_host_config(f->h, false, true);
    f->d = xpf_device_new(&c, errp);
    g_assert_nonnull(f->d);
    f->bdf = xpv_bdf_of(a);
    fc = (XpvFuncConfig) { .host = f->bdf, .dev = f->d, .opaque = f };
    g_assert_nonnull(xpv_add_func(s->core, &fc, errp));
    return g_steal_pointer(&f);
}

static void s_close_func(void *opaque, void *func)
{
    Seam *s = opaque;
    Func *f = func;

    g_assert_cmpuint(s->locked, ==, 1);
    g_assert_true(xpv_remove_func(s->core, f->bdf, NULL));
    xpf_device_free(f->d);
    test_host_free(f->h);
    g_free(f);
    s->closes++;
}

static void s_refused(void *opaque, const char *why)
{
    ((Seam *)opaque)->refusals++;
}

static void s_retry_at(void *opaque, int64_t at_ms)
{
    ((Seam *)opaque)->retry_at = at_ms;
}

static const XpvXenbusOps seam_ops = {
    .lock = s_lock, .unlock = s_unlock, .write = s_write,
    .get_state = s_get_state, .set_state = s_set_state,
    .connect = s_connect, .disconnect = s_disconnect,
    .open_func = s_open_func, .close_func = s_close_func,
    .refused = s_refused, .retry_at = s_retry_at,
};

/* The op core's MSI hooks: pirqs handed out, undo counted. */
static int h_enable_msi(void *opaque, const XpvFunc *f, unsigned nvec,
                        int pirqs[])
{
    unsigned i;

    for (i = 0; i < nvec; i++) {
        pirqs[i] = 50 + i;
    }
    xpf_set_host_interrupts(f->dev, XPF_INTR_MSI);
    return 0;
}

static void h_disable_msi(void *opaque, const XpvFunc *f)
{
    xpf_set_host_interrupts(f->dev, XPF_INTR_NONE);
    ((Seam *)opaque)->disable_msi++;
}

static const XpvHooks core_hooks = {
    .enable_msi = h_enable_msi, .disable_msi = h_disable_msi,
};

static void seam_init(Seam *s)
{
    static const XpvRateLimit unlimited = { .burst = 1, .per_sec = 0 };

    memset(s, 0, sizeof(*s));
    s->core = xpv_backend_new(XPV_MODE_VPCI, &core_hooks, s);
    xpv_set_rate_limit(s->core, &unlimited);
    s->xs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    s->states = g_string_new(NULL);
    s->state = XenbusStateInitWait;         /* as xen-bus leaves it */
    s->pg = (XpvSharedPage) { .sh = &s->sh };
    xpv_xenbus_init(&s->x, s->core, &seam_ops, s);
}

static void seam_free(Seam *s)
{
    xpv_xenbus_stop(&s->x);
    g_assert_cmpuint(s->locked, ==, 0);
    xpv_backend_free(s->core);
    g_hash_table_destroy(s->xs);
    g_string_free(s->states, true);
}

static const char *key(Seam *s, const char *k)
{
    return g_hash_table_lookup(s->xs, k);
}

/* The states set since the last call, then forget them. */
static void expect_states(Seam *s, const char *want)
{
    g_assert_cmpstr(s->states->str, ==, want);
    g_string_truncate(s->states, 0);
}

/* A conf_read of the Vendor ID the frontend posts, answered or not. */
static void post_vendor_read(Seam *s, uint8_t devfn)
{
    s->sh.op = (struct xen_pci_op) {
        .cmd = XEN_PCI_OP_conf_read, .devfn = devfn, .size = 2,
    };
    s->sh.flags |= XEN_PCIF_active;
}

static void start_connected(Seam *s, const char *hosts)
{
    g_autoptr(GError) err = NULL;

    seam_init(s);
    g_assert_true(xpv_xenbus_start(&s->x, hosts, &err));
    g_assert_no_error(err);
    xpv_xenbus_frontend_changed(&s->x, XenbusStateInitialised, 1000);
    g_assert_true(s->ring);
    expect_states(s, "4 ");
}

/* ---- tests ---- */

/* Published as pciback does, whatever spelling the address had. */
static void test_start(void)
{
    Seam s;
    g_autoptr(GError) err = NULL;

    seam_init(&s);
    g_assert_true(xpv_xenbus_start(&s.x, " 0000:00:03.0 ;0:0:4.0,,", &err));
    g_assert_no_error(err);
    g_assert_cmpstr(key(&s, "dev-0"), ==, "0000:00:03.0");
    g_assert_cmpstr(key(&s, "vdev-0"), ==, "0000:00:00.0");
    g_assert_cmpstr(key(&s, "state-0"), ==, "3");
    g_assert_cmpstr(key(&s, "dev-1"), ==, "0000:00:04.0");
    g_assert_cmpstr(key(&s, "vdev-1"), ==, "0000:00:01.0");
    g_assert_cmpstr(key(&s, "state-1"), ==, "3");
    g_assert_cmpstr(key(&s, "num_devs"), ==, "2");
    g_assert_cmpstr(key(&s, "root-0"), ==, "0000:00");
    g_assert_cmpstr(key(&s, "root_num"), ==, "1");
    g_assert_cmpuint(g_hash_table_size(s.xs), ==, 9);
    expect_states(&s, "");
    seam_free(&s);
}

static void test_start_refused(void)
{
    static const char *const bad[] = {
        "", " ; ", "0000:00:20.0", "00:03", "0000:00:03.0;00:03.0",
        "0000:00:07.0",
    };
    unsigned i;

    for (i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) err = NULL;
        Seam s;

        seam_init(&s);
        g_assert_false(xpv_xenbus_start(&s.x, bad[i], &err));
        g_assert_nonnull(err);
        seam_free(&s);
        /* what was opened before the bad one is closed by stop */
        g_assert_cmpuint(s.closes, ==, i == 4 ? 1 : 0);
    }
}

/* The frontend initialises: connected; it closes: disconnected. */
static void test_connect_close(void)
{
    Seam s;

    start_connected(&s, "00:03.0");
    g_assert_cmpuint(s.connects, ==, 1);
    /* a second Connected from the frontend changes nothing */
    xpv_xenbus_frontend_changed(&s.x, XenbusStateConnected, 1100);
    g_assert_cmpuint(s.connects, ==, 1);
    expect_states(&s, "");
    xpv_xenbus_frontend_changed(&s.x, XenbusStateClosing, 1200);
    expect_states(&s, "5 ");
    xpv_xenbus_frontend_changed(&s.x, XenbusStateClosed, 1300);
    expect_states(&s, "6 ");
    g_assert_false(s.ring);
    g_assert_cmpuint(s.disconnects, ==, 1);
    seam_free(&s);
}

/* Started with one function, the frontend's first connection refused. */
static void start_refused(Seam *s)
{
    g_autoptr(GError) err = NULL;

    seam_init(s);
    g_assert_true(xpv_xenbus_start(&s->x, "00:03.0", &err));
    s->connect_fails = true;
    xpv_xenbus_frontend_changed(&s->x, XenbusStateInitialised, 5000);
    g_assert_cmpuint(s->connects, ==, 1);
    s->connect_fails = false;
}

/* A refused connection: backoff, then the retry connects. */
static void test_connect_backoff(void)
{
    Seam s;

    start_refused(&s);
    g_assert_cmpuint(s.refusals, ==, 1);
    expect_states(&s, "");
    /* within the period: no attempt, a retry at its end */
    xpv_xenbus_frontend_changed(&s.x, XenbusStateInitialised, 5400);
    g_assert_cmpuint(s.connects, ==, 1);
    g_assert_cmpint(s.retry_at, ==, 5000 + XPV_CONNECT_BACKOFF_MS);
    xpv_xenbus_connect_retry(&s.x, 6000);
    g_assert_cmpuint(s.connects, ==, 2);
    expect_states(&s, "4 ");
    /* connected: a retry does nothing */
    xpv_xenbus_connect_retry(&s.x, 7000);
    g_assert_cmpuint(s.connects, ==, 2);
    seam_free(&s);
}

/* A retry after the frontend went away does not connect. */
static void test_retry_after_close(void)
{
    Seam s;

    start_refused(&s);
    xpv_xenbus_frontend_changed(&s.x, XenbusStateClosed, 5100);
    xpv_xenbus_connect_retry(&s.x, 6000);
    g_assert_cmpuint(s.connects, ==, 1);
    g_assert_false(s.ring);
    seam_free(&s);
}

/* Hot add by a short address, then the frontend takes it. */
static void test_hot_add(void)
{
    Seam s;
    g_autoptr(GError) err = NULL;

    start_connected(&s, "00:03.0");
    g_assert_true(xpv_xenbus_add_host(&s.x, "0:0:4.0", &err));
    g_assert_no_error(err);
    g_assert_cmpstr(key(&s, "dev-1"), ==, "0000:00:04.0");
    g_assert_cmpstr(key(&s, "state-1"), ==, "1");
    g_assert_cmpstr(key(&s, "num_devs"), ==, "2");
    expect_states(&s, "7 ");
    xpv_xenbus_frontend_changed(&s.x, XenbusStateReconfiguring, 2000);
    g_assert_cmpstr(key(&s, "state-1"), ==, "3");
    g_assert_cmpstr(key(&s, "vdev-1"), ==, "0000:00:01.0");
    expect_states(&s, "8 ");
    xpv_xenbus_frontend_changed(&s.x, XenbusStateConnected, 2100);
    expect_states(&s, "4 ");
    /* the same function again, in another spelling: refused */
    g_assert_false(xpv_xenbus_add_host(&s.x, "0000:00:04.0", &err));
    g_assert_nonnull(strstr(err->message, "already exported"));
    expect_states(&s, "");
    g_assert_nonnull(xpv_xenbus_find(&s.x, "00:04.0"));
    seam_free(&s);
}

/* Hot remove by a non-canonical address, the frontend lets it go. */
static void test_hot_remove(void)
{
    Seam s;
    g_autoptr(GError) err = NULL;

    start_connected(&s, "0000:00:03.0;0000:00:04.0");
    g_assert_true(xpv_xenbus_remove_host(&s.x, "0:0:4.0", &err));
    g_assert_no_error(err);
    g_assert_cmpstr(key(&s, "state-1"), ==, "5");
    expect_states(&s, "7 ");
    g_assert_cmpuint(s.closes, ==, 0);      /* the frontend still has it */
    xpv_xenbus_frontend_changed(&s.x, XenbusStateReconfiguring, 2000);
    g_assert_cmpuint(s.closes, ==, 1);
    g_assert_cmpstr(key(&s, "state-1"), ==, "6");
    g_assert_cmpstr(key(&s, "state-0"), ==, "3");
    expect_states(&s, "8 ");
    g_assert_null(xpv_xenbus_find(&s.x, "00:04.0"));
    g_assert_false(xpv_xenbus_remove_host(&s.x, "00:04.0", &err));
    g_assert_nonnull(strstr(err->message, "not exported"));
    g_clear_error(&err);
    g_assert_false(xpv_xenbus_remove_host(&s.x, "00:04", &err));
    g_assert_nonnull(strstr(err->message, "not a host PCI address"));
    /* dev-1 is free again: a hot add takes it */
    g_clear_error(&err);
    g_assert_true(xpv_xenbus_add_host(&s.x, "00:05.0", &err));
    g_assert_cmpstr(key(&s, "dev-1"), ==, "0000:00:05.0");
    seam_free(&s);
}

/* Without a frontend, a removal takes effect at once. */
static void test_remove_unconnected(void)
{
    Seam s;
    g_autoptr(GError) err = NULL;

    seam_init(&s);
    g_assert_true(xpv_xenbus_start(&s.x, "00:03.0;00:04.0", &err));
    g_assert_true(xpv_xenbus_remove_host(&s.x, "0000:00:03.0", &err));
    g_assert_cmpuint(s.closes, ==, 1);
    g_assert_cmpstr(key(&s, "state-0"), ==, "6");
    expect_states(&s, "");
    seam_free(&s);
}

/*
 * The frontend closes with an op posted and MSI on: the op is never
 * answered, MSI is undone, nothing is served once the ring is down; a
 * new frontend connects and its ops are answered.
 */
static void test_disconnect_mid_op(void)
{
    Seam s;

    start_connected(&s, "00:04.0");
    s.sh.op = (struct xen_pci_op) { .cmd = XEN_PCI_OP_enable_msi };
    s.sh.flags |= XEN_PCIF_active;
    g_assert_true(xpv_handle_op(s.core, &s.pg));
    g_assert_cmpint(s.sh.op.err, ==, XEN_PCI_ERR_success);
    post_vendor_read(&s, 0);
    xpv_xenbus_frontend_changed(&s.x, XenbusStateClosed, 2000);
    g_assert_false(s.ring);
    g_assert_cmpuint(s.disable_msi, ==, 1);
    g_assert_true(s.sh.flags & XEN_PCIF_active);    /* never answered */
    expect_states(&s, "6 ");
    /* reconnect */
    xpv_xenbus_frontend_changed(&s.x, XenbusStateInitialised, 3000);
    g_assert_true(s.ring);
    g_assert_cmpuint(s.connects, ==, 2);
    expect_states(&s, "4 ");
    post_vendor_read(&s, 0);
    g_assert_true(xpv_handle_op(s.core, &s.pg));
    g_assert_cmpint(s.sh.op.err, ==, XEN_PCI_ERR_success);
    g_assert_cmphex(s.sh.op.value, ==, 0x1234);     /* edu's vendor */
    seam_free(&s);
}

/* Stop closes every function and disconnects. */
static void test_stop(void)
{
    Seam s;

    start_connected(&s, "00:03.0;00:04.0;00:05.0");
    xpv_xenbus_stop(&s.x);
    g_assert_cmpuint(s.closes, ==, 3);
    g_assert_false(s.ring);
    g_assert_cmpuint(xpv_num_funcs(s.core), ==, 0);
    seam_free(&s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xpv-xenbus/start", test_start);
    g_test_add_func("/xpv-xenbus/start-refused", test_start_refused);
    g_test_add_func("/xpv-xenbus/connect-close", test_connect_close);
    g_test_add_func("/xpv-xenbus/connect-backoff", test_connect_backoff);
    g_test_add_func("/xpv-xenbus/retry-after-close", test_retry_after_close);
    g_test_add_func("/xpv-xenbus/hot-add", test_hot_add);
    g_test_add_func("/xpv-xenbus/hot-remove", test_hot_remove);
    g_test_add_func("/xpv-xenbus/remove-unconnected",
                    test_remove_unconnected);
    g_test_add_func("/xpv-xenbus/disconnect-mid-op", test_disconnect_mid_op);
    g_test_add_func("/xpv-xenbus/stop", test_stop);
    return g_test_run();
}
