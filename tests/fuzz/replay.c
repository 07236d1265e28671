/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Without libFuzzer: run the fuzz target over the files (or directories of
 * files) named on the command line, e.g. a saved corpus or a crash input.
 */
#include <stdio.h>
#include <glib.h>
#include "fuzz-xpf.h"


static int replay_file(const char *path)
{
    g_autofree char *buf = NULL;
    gsize len;

    if (!g_file_get_contents(path, &buf, &len, NULL)) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        return 1;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
    return 0;
}

int main(int argc, char **argv)
{
    int i, rc = 0, n = 0;

    for (i = 1; i < argc; i++) {
        g_autoptr(GDir) dir = g_dir_open(argv[i], 0, NULL);
        const char *e;

        if (!dir) {
            rc |= replay_file(argv[i]);
            n++;
            continue;
        }
        while ((e = g_dir_read_name(dir))) {
            g_autofree char *p = g_build_filename(argv[i], e, NULL);

            rc |= replay_file(p);
            n++;
        }
    }
    printf("replayed %d inputs\n", n);
    return rc;
}
