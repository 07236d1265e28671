# SPDX-License-Identifier: GPL-2.0-or-later
# Minimal device set for the Xen device model built by this overlay: the
# machines Xen needs (xenfv is i440fx based; q35 for qtests) and IGD hooks.
CONFIG_I440FX=y
CONFIG_Q35=y
CONFIG_XEN_IGD_PASSTHROUGH=y
