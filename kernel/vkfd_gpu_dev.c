// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - the files of each virtual GPU's device in sysfs.
 */

/**
 * DOC: GPU devices
 *
 * Every GPU is a device (vkfd_gpu.c) below the root device
 * /sys/devices/<module> (vkfd, or amdgpu when the driver is built as
 * amdgpu.ko), named after its PCI-style address (VKFD_PCI_DOMAIN, bus
 * index + 1, device 0, function 0: "fffe:01:00.0" for the first GPU),
 * the address the topology publishes as domain and location_id. It
 * parents the GPU's DRM device (vkfd_drm.c), so /sys/class/drm/cardN/device is this device and the
 * path of cardN contains the address, which is how rocm-smi matches DRM
 * cards with KFD nodes.
 *
 * It is not a PCI device, nor on any bus: lspci, libpciaccess, Mesa's
 * loader and amdgpu never see it, and libdrm's drmGetDevice2() skips it
 * (the device has no subsystem link). It carries the files amdgpu puts on
 * its PCI device that rocm-smi reads for its default view, --showmeminfo
 * and --showuse::
 *
 *   vendor, device, revision   0x1002, 0x6860, 0x00: a gfx900 (as the
 *                              topology and the render node say)
 *   vbios_version              "vkfd-<uAPI major>.<minor>"
 *   mem_info_vram_total        VRAM of the GPU, bytes (vram_mb)
 *   mem_info_vram_used         VRAM allocated by all contexts, bytes
 *   mem_info_vis_vram_total,   the same: all of vkfd's VRAM is
 *   mem_info_vis_vram_used     CPU-visible
 *   gpu_busy_percent           how busy the SDMA engines were lately,
 *                              0..100 (vkfd_busy.c)
 *
 * and, if the kernel has hwmon, a hwmon device named "amdgpu" with the
 * single file in0_label ("vddgfx"): rocm-smi 5.2 crashes on a GPU without
 * an amdgpu hwmon device, and refuses to start if that device has no
 * in0_label. There is no sensor behind the label; temperatures, fans,
 * power and clocks make no sense for a software GPU and are absent.
 */
#include <linux/device.h>
#include <linux/hwmon.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "vkfd_busy.h"
#include "vkfd_gpu.h"
#include "vkfd_priv.h"
#include "vkfd_topology.h"

static struct vkfd_gpu *vkfd_gpu_of(struct device *dev)
{
	return dev_get_drvdata(dev);
}

static ssize_t vendor_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "0x%04x\n", VKFD_VENDOR_ID);
}
static DEVICE_ATTR_RO(vendor);

static ssize_t device_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "0x%04x\n", VKFD_DEVICE_ID);
}
static DEVICE_ATTR_RO(device);

static ssize_t revision_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "0x%02x\n", VKFD_PCI_REVISION);
}
static DEVICE_ATTR_RO(revision);

static ssize_t vbios_version_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "vkfd-%u.%u\n", VKFD_IOCTL_MAJOR_VERSION,
			  VKFD_IOCTL_MINOR_VERSION);
}
static DEVICE_ATTR_RO(vbios_version);

static ssize_t mem_info_vram_total_show(struct device *dev,
					struct device_attribute *attr,
					char *buf)
{
	return sysfs_emit(buf, "%llu\n", vkfd_gpu_of(dev)->vram_size);
}
static DEVICE_ATTR_RO(mem_info_vram_total);

static ssize_t mem_info_vram_used_show(struct device *dev,
				       struct device_attribute *attr,
				       char *buf)
{
	return sysfs_emit(buf, "%lld\n",
			  (s64)atomic64_read(&vkfd_gpu_of(dev)->vram_used));
}
static DEVICE_ATTR_RO(mem_info_vram_used);

/* All of vkfd's VRAM is CPU-visible: the "visible" files say the same. */
static struct device_attribute dev_attr_mem_info_vis_vram_total =
	__ATTR(mem_info_vis_vram_total, 0444, mem_info_vram_total_show, NULL);
static struct device_attribute dev_attr_mem_info_vis_vram_used =
	__ATTR(mem_info_vis_vram_used, 0444, mem_info_vram_used_show, NULL);

static ssize_t gpu_busy_percent_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n",
			  vkfd_busy_percent(&vkfd_gpu_of(dev)->busy,
					    ktime_get_ns()));
}
static DEVICE_ATTR_RO(gpu_busy_percent);

static struct attribute *vkfd_gpu_dev_attrs[] = {
	&dev_attr_vendor.attr,
	&dev_attr_device.attr,
	&dev_attr_revision.attr,
	&dev_attr_vbios_version.attr,
	&dev_attr_mem_info_vram_total.attr,
	&dev_attr_mem_info_vram_used.attr,
	&dev_attr_mem_info_vis_vram_total.attr,
	&dev_attr_mem_info_vis_vram_used.attr,
	&dev_attr_gpu_busy_percent.attr,
	NULL,
};

static const struct attribute_group vkfd_gpu_dev_group = {
	.attrs = vkfd_gpu_dev_attrs,
};

/* The files of every GPU's device, created with it (vkfd_gpu.c). */
const struct attribute_group *vkfd_gpu_dev_groups[] = {
	&vkfd_gpu_dev_group,
	NULL,
};

#if IS_REACHABLE(CONFIG_HWMON)
static ssize_t in0_label_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "vddgfx\n");
}
static DEVICE_ATTR_RO(in0_label);

static struct attribute *vkfd_hwmon_attrs[] = {
	&dev_attr_in0_label.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vkfd_hwmon);

/**
 * vkfd_gpu_hwmon_add() - add the hwmon device rocm-smi looks for
 * @gpu: the GPU, its device in sysfs
 *
 * The hwmon device is a managed resource of the GPU's device, removed
 * with the GPU. Failing is not an error: the GPU works without it,
 * rocm-smi does not.
 *
 * Context: Process context, GPU creation.
 */
void vkfd_gpu_hwmon_add(struct vkfd_gpu *gpu)
{
	devm_hwmon_device_register_with_groups(gpu->dev, "amdgpu", gpu,
					       vkfd_hwmon_groups);
}
#else
void vkfd_gpu_hwmon_add(struct vkfd_gpu *gpu)
{
}
#endif
