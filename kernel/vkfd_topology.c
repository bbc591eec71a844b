// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vkfd - the topology tree in sysfs.
 *
 * Layout, as amdkfd publishes it under /sys/devices/virtual/kfd/kfd:
 *
 *   topology/generation_id
 *   topology/system_properties
 *   topology/nodes/<n>/{gpu_id,name,properties}
 *   topology/nodes/<n>/mem_banks/<k>/properties
 *   topology/nodes/<n>/caches/<k>/properties
 *   topology/nodes/<n>/io_links/<k>/properties
 *
 * Node 0 is the CPU, node i + 1 is GPU i. The topology never changes after
 * load, so every file's text is formatted once, at load, and sysfs only
 * copies it out.
 */
#include <linux/cpufreq.h>
#include <linux/device.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "vkfd_gpu.h"
#include "vkfd_priv.h"
#include "vkfd_topology.h"

/* topology/generation_id: amdkfd bumps it on hotplug; vkfd has none. */
#define VKFD_TOPOLOGY_GENERATION	1

/**
 * struct vkfd_topo_obj - one directory of the topology tree
 * @kobj: the directory
 * @link: entry in &vkfd_topology.objs, in creation order
 * @text: contents of "properties" (or "system_properties"), immutable
 * @gpu_id: contents of "gpu_id" (nodes only)
 * @name: contents of "name" (nodes only)
 */
struct vkfd_topo_obj {
	struct kobject kobj;
	struct list_head link;
	char *text;
	u32 gpu_id;
	const char *name;
};

/**
 * struct vkfd_topology - the published topology
 * @objs: every directory, parents before children; torn down in reverse
 * @scratch: a page to format text in while building, NULL afterwards
 */
struct vkfd_topology {
	struct list_head objs;
	char *scratch;
};

static struct attribute vkfd_attr_properties = {
	.name = "properties", .mode = 0444,
};

static struct attribute vkfd_attr_gpu_id = { .name = "gpu_id", .mode = 0444 };
static struct attribute vkfd_attr_name = { .name = "name", .mode = 0444 };
static struct attribute vkfd_attr_generation_id = {
	.name = "generation_id", .mode = 0444,
};

static struct attribute vkfd_attr_system_properties = {
	.name = "system_properties", .mode = 0444,
};

static inline struct vkfd_topo_obj *to_vkfd_topo_obj(struct kobject *kobj)
{
	return container_of(kobj, struct vkfd_topo_obj, kobj);
}

static ssize_t vkfd_topo_show(struct kobject *kobj, struct attribute *attr,
			      char *buf)
{
	struct vkfd_topo_obj *obj = to_vkfd_topo_obj(kobj);
	size_t len;

	if (attr == &vkfd_attr_gpu_id)
		return sysfs_emit(buf, "%u\n", obj->gpu_id);
	if (attr == &vkfd_attr_name)
		return sysfs_emit(buf, "%s\n", obj->name);
	if (attr == &vkfd_attr_generation_id)
		return sysfs_emit(buf, "%u\n", VKFD_TOPOLOGY_GENERATION);
	/* Newline-terminated lines, formatted to fit a page at load */
	len = strlen(obj->text);
	memcpy(buf, obj->text, len);
	return len;
}

static const struct sysfs_ops vkfd_topo_sysfs_ops = {
	.show = vkfd_topo_show,
};

static void vkfd_topo_release(struct kobject *kobj)
{
	struct vkfd_topo_obj *obj = to_vkfd_topo_obj(kobj);

	kfree(obj->text);
	kfree(obj);
}

static struct attribute *vkfd_topo_root_attrs[] = {
	&vkfd_attr_generation_id,
	&vkfd_attr_system_properties,
	NULL,
};
ATTRIBUTE_GROUPS(vkfd_topo_root);

static struct attribute *vkfd_topo_node_attrs[] = {
	&vkfd_attr_gpu_id,
	&vkfd_attr_name,
	&vkfd_attr_properties,
	NULL,
};
ATTRIBUTE_GROUPS(vkfd_topo_node);

static struct attribute *vkfd_topo_leaf_attrs[] = {
	&vkfd_attr_properties,
	NULL,
};
ATTRIBUTE_GROUPS(vkfd_topo_leaf);

static const struct kobj_type vkfd_topo_root_ktype = {
	.sysfs_ops = &vkfd_topo_sysfs_ops,
	.release = vkfd_topo_release,
	.default_groups = vkfd_topo_root_groups,
};

static const struct kobj_type vkfd_topo_node_ktype = {
	.sysfs_ops = &vkfd_topo_sysfs_ops,
	.release = vkfd_topo_release,
	.default_groups = vkfd_topo_node_groups,
};

static const struct kobj_type vkfd_topo_leaf_ktype = {
	.sysfs_ops = &vkfd_topo_sysfs_ops,
	.release = vkfd_topo_release,
	.default_groups = vkfd_topo_leaf_groups,
};

/* A plain directory: nodes/, mem_banks/, caches/, io_links/ */
static const struct kobj_type vkfd_topo_dir_ktype = {
	.sysfs_ops = &vkfd_topo_sysfs_ops,
	.release = vkfd_topo_release,
};

/*
 * Add a directory with @text as its properties. @text is a formatted
 * string the object takes over, or NULL. On failure @text is freed.
 */
static __printf(5, 6) struct vkfd_topo_obj *vkfd_topo_add(struct vkfd_topology *topo,
					   const struct kobj_type *ktype,
					   struct kobject *parent, char *text,
					   const char *fmt, ...)
{
	struct vkfd_topo_obj *obj;
	va_list args;
	char *name;
	int ret;

	va_start(args, fmt);
	name = kvasprintf(GFP_KERNEL, fmt, args);
	va_end(args);
	obj = kzalloc(sizeof(*obj), GFP_KERNEL);
	if (!obj || !name) {
		kfree(name);
		kfree(obj);
		kfree(text);
		return ERR_PTR(-ENOMEM);
	}
	obj->text = text;
	obj->name = "";
	kobject_init(&obj->kobj, ktype);

	ret = kobject_add(&obj->kobj, parent, "%s", name);
	kfree(name);
	if (ret) {
		kobject_put(&obj->kobj);
		return ERR_PTR(ret);
	}
	list_add_tail(&obj->link, &topo->objs);
	return obj;
}

/* Format @n properties (and an optional sibling map) into a new string. */
static char *vkfd_topo_text(struct vkfd_topology *topo,
			    const struct vkfd_prop *props, unsigned int n,
			    unsigned int map_bits, unsigned int map_set)
{
	int len, ret;

	len = vkfd_topology_format(topo->scratch, PAGE_SIZE, props, n);
	if (len < 0)
		return ERR_PTR(len);
	if (map_bits) {
		ret = vkfd_topology_format_sibling_map(topo->scratch + len,
						       PAGE_SIZE - len,
						       map_bits, map_set);
		if (ret < 0)
			return ERR_PTR(ret);
	}
	return kstrdup(topo->scratch, GFP_KERNEL) ?: ERR_PTR(-ENOMEM);
}

/* Add a leaf "<index>/properties" below @parent. */
static int vkfd_topo_add_leaf(struct vkfd_topology *topo,
			      struct kobject *parent, unsigned int index,
			      const struct vkfd_prop *props, unsigned int n,
			      unsigned int map_bits, unsigned int map_set)
{
	struct vkfd_topo_obj *obj;
	char *text;

	text = vkfd_topo_text(topo, props, n, map_bits, map_set);
	if (IS_ERR(text))
		return PTR_ERR(text);
	obj = vkfd_topo_add(topo, &vkfd_topo_leaf_ktype, parent, text, "%u",
			    index);
	return PTR_ERR_OR_ZERO(obj);
}

/*
 * Add node @node with its properties and its three sub-directories;
 * returns the node's directories through @banks, @caches and @links.
 */
static struct vkfd_topo_obj *
vkfd_topo_add_node(struct vkfd_topology *topo, struct kobject *nodes,
		   unsigned int node, u32 gpu_id, const char *name,
		   const struct vkfd_prop *props, unsigned int n,
		   struct kobject **banks, struct kobject **caches,
		   struct kobject **links)
{
	struct vkfd_topo_obj *obj, *dir;
	char *text;

	text = vkfd_topo_text(topo, props, n, 0, 0);
	if (IS_ERR(text))
		return ERR_CAST(text);
	obj = vkfd_topo_add(topo, &vkfd_topo_node_ktype, nodes, text, "%u",
			    node);
	if (IS_ERR(obj))
		return obj;
	obj->gpu_id = gpu_id;
	obj->name = name;

	dir = vkfd_topo_add(topo, &vkfd_topo_dir_ktype, &obj->kobj, NULL,
			    "mem_banks");
	if (IS_ERR(dir))
		return dir;
	*banks = &dir->kobj;
	dir = vkfd_topo_add(topo, &vkfd_topo_dir_ktype, &obj->kobj, NULL,
			    "caches");
	if (IS_ERR(dir))
		return dir;
	*caches = &dir->kobj;
	dir = vkfd_topo_add(topo, &vkfd_topo_dir_ktype, &obj->kobj, NULL,
			    "io_links");
	if (IS_ERR(dir))
		return dir;
	*links = &dir->kobj;
	return obj;
}

static int vkfd_topo_build_cpu(struct vkfd_topology *topo,
			       struct kobject *nodes,
			       const struct vkfd_topology_desc *d,
			       struct vkfd_prop *props)
{
	struct kobject *banks, *caches, *links;
	struct vkfd_topo_obj *node;
	unsigned int i, n;
	int ret;

	n = vkfd_topology_cpu_props(d, props);
	node = vkfd_topo_add_node(topo, nodes, 0, 0, "", props, n, &banks,
				  &caches, &links);
	if (IS_ERR(node))
		return PTR_ERR(node);

	n = vkfd_topology_mem_props(VKFD_HEAP_SYSTEM, d->ram_size, props);
	ret = vkfd_topo_add_leaf(topo, banks, 0, props, n, 0, 0);
	if (ret)
		return ret;

	for (i = 0; i < VKFD_CPU_CACHES; i++) {
		n = vkfd_topology_cpu_cache_props(i, props);
		ret = vkfd_topo_add_leaf(topo, caches, i, props, n,
					 d->num_cpus, 1);
		if (ret)
			return ret;
	}

	for (i = 0; i < d->num_gpus; i++) {
		n = vkfd_topology_iolink_props(0, i + 1, props);
		ret = vkfd_topo_add_leaf(topo, links, i, props, n, 0, 0);
		if (ret)
			return ret;
	}
	return 0;
}

static int vkfd_topo_build_gpu(struct vkfd_topology *topo,
			       struct kobject *nodes,
			       const struct vkfd_topology_desc *d,
			       const struct vkfd_gpu *gpu,
			       struct vkfd_prop *props)
{
	struct kobject *banks, *caches, *links;
	struct vkfd_topo_obj *node;
	unsigned int n;
	int ret;

	n = vkfd_topology_gpu_props(d, gpu->index, props);
	node = vkfd_topo_add_node(topo, nodes, gpu->index + 1, gpu->gpu_id,
				  "vkfd", props, n, &banks, &caches, &links);
	if (IS_ERR(node))
		return PTR_ERR(node);

	n = vkfd_topology_mem_props(VKFD_HEAP_FB_PUBLIC, gpu->vram_size, props);
	ret = vkfd_topo_add_leaf(topo, banks, 0, props, n, 0, 0);
	if (ret)
		return ret;

	/* One L2 shared by the GPU's 4 compute units */
	n = vkfd_topology_gpu_cache_props(gpu->index, props);
	ret = vkfd_topo_add_leaf(topo, caches, 0, props, n, 4, 4);
	if (ret)
		return ret;

	n = vkfd_topology_iolink_props(gpu->index + 1, 0, props);
	return vkfd_topo_add_leaf(topo, links, 0, props, n, 0, 0);
}

static void vkfd_topo_destroy(struct vkfd_topology *topo)
{
	struct vkfd_topo_obj *obj, *tmp;

	/* Children first: they were added after their parents. */
	list_for_each_entry_safe_reverse(obj, tmp, &topo->objs, link) {
		list_del(&obj->link);
		kobject_del(&obj->kobj);
		kobject_put(&obj->kobj);
	}
	free_page((unsigned long)topo->scratch);
	kfree(topo);
}

/**
 * vkfd_topology_init() - publish the topology of @vdev in sysfs
 * @vdev: the device, with its GPUs set up and its class device created
 *
 * Context: Process context, module load.
 * Return: 0 or a negative errno; on failure nothing is left in sysfs.
 */
int vkfd_topology_init(struct vkfd_device *vdev)
{
	struct vkfd_topology_desc desc = {
		.num_cpus = num_online_cpus(),
		.ram_size = (u64)totalram_pages() << PAGE_SHIFT,
		.cpu_mhz = cpufreq_quick_get_max(0) / 1000,
		.num_gpus = vdev->num_gpus,
		.vram_size = vdev->gpus[0]->vram_size,
	};
	struct vkfd_topo_obj *root, *nodes;
	struct vkfd_topology *topo;
	struct vkfd_prop *props;
	unsigned int i, n;
	char *text;
	int ret;

	for (i = 0; i < vdev->num_gpus; i++)
		desc.render_minor[i] = vkfd_drm_render_minor(vdev->gpus[i]);

	topo = kzalloc(sizeof(*topo), GFP_KERNEL);
	props = kcalloc(VKFD_TOPOLOGY_MAX_PROPS, sizeof(*props), GFP_KERNEL);
	if (topo)
		topo->scratch = (char *)__get_free_page(GFP_KERNEL);
	if (!topo || !props || !topo->scratch) {
		ret = -ENOMEM;
		goto err_free;
	}
	INIT_LIST_HEAD(&topo->objs);

	n = vkfd_topology_system_props(props);
	text = vkfd_topo_text(topo, props, n, 0, 0);
	if (IS_ERR(text)) {
		ret = PTR_ERR(text);
		goto err_destroy;
	}
	root = vkfd_topo_add(topo, &vkfd_topo_root_ktype, &vdev->dev->kobj,
			     text, "topology");
	if (IS_ERR(root)) {
		ret = PTR_ERR(root);
		goto err_destroy;
	}
	nodes = vkfd_topo_add(topo, &vkfd_topo_dir_ktype, &root->kobj, NULL,
			      "nodes");
	if (IS_ERR(nodes)) {
		ret = PTR_ERR(nodes);
		goto err_destroy;
	}

	ret = vkfd_topo_build_cpu(topo, &nodes->kobj, &desc, props);
	for (i = 0; !ret && i < vdev->num_gpus; i++)
		ret = vkfd_topo_build_gpu(topo, &nodes->kobj, &desc,
					  vdev->gpus[i], props);
	if (ret)
		goto err_destroy;

	kfree(props);
	free_page((unsigned long)topo->scratch);
	topo->scratch = NULL;
	vdev->topology = topo;
	return 0;

err_destroy:
	kfree(props);
	vkfd_topo_destroy(topo);
	return ret;
err_free:
	kfree(props);
	if (topo)
		free_page((unsigned long)topo->scratch);
	kfree(topo);
	return ret;
}

/**
 * vkfd_topology_fini() - remove the topology from sysfs
 * @vdev: the device
 *
 * Context: Process context, module unload.
 */
void vkfd_topology_fini(struct vkfd_device *vdev)
{
	vkfd_topo_destroy(vdev->topology);
	vdev->topology = NULL;
}
