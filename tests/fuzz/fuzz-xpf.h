/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * What the fuzz targets share: the libFuzzer entry point (also called by
 * replay.c) and the invariant check.
 */
#ifndef FUZZ_XPF_H
#define FUZZ_XPF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* An invariant of the code under test: report it and abort. */
#define FUZZ_CHECK(cond) do { \
    if (!(cond)) { \
        fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, \
                __FILE__, __LINE__); \
        abort(); \
    } \
} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
