/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * The libFuzzer entry point of fuzz-xpf.c, also called by replay.c.
 */
#ifndef FUZZ_XPF_H
#define FUZZ_XPF_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
