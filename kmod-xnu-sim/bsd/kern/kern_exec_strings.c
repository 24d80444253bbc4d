// SPDX-License-Identifier: BSD-2-Clause
/*
 * kern_exec_strings.c: exec's argument area and the new process's initial
 * stack: execargs_alloc, exec_save_path, exec_extract_strings (argv and envp
 * copied in; a #! script's interpreter words in front), create_unix_stack,
 * exec_add_apple_strings and exec_copyout_strings, which lays out mach_header,
 * argc, argv, envp and apple[] as XNU does.  XNU keeps these in
 * bsd/kern/kern_exec.c (the probes name it).
 *
 * Simulator choice: the new map belongs to no host process yet, so the top
 * of the stack (the strings and vectors) is arena-backed memory the kernel
 * writes directly; the rest of the stack is ordinary private memory.  After
 * the host execve the simulated dyld maps both (docs/fidelity.md).
 */
#include "kmod-xnu-sim/bsd/kern/kern_exec_internal.h"

#include "kmod-xnu-sim/bsd/sys/vnode_internal.h"
#include "kmod-xnu-sim/osfmk/kern/machine.h"
#include "kmod-xnu-sim/osfmk/kern/xs_trace.h"
#include "kmod-xnu-sim/osfmk/kern/zalloc.h"
#include "kmod-xnu-sim/osfmk/vm/vm_map_internal.h"

#include "darwin/vm.h"

int xs_execargs_alloc(struct exec_data *ed)
{
	XS_FUNC_AT(execargs_alloc, XS_KERN_EXEC_PATH);

	ed->ed_strings = xs_kmem_alloc(XS_EXECARGS_INITIAL);
	if (!ed->ed_strings)
		return ENOMEM;
	ed->ed_strsize = XS_EXECARGS_INITIAL;
	ed->ed_strused = 0;
	return 0;
}

void xs_execargs_free(struct exec_data *ed)
{
	XS_FUNC_AT(execargs_free, XS_KERN_EXEC_PATH);

	if (ed->ed_strings)
		xs_kmem_free(ed->ed_strings, ed->ed_strsize);
	ed->ed_strings = NULL;
	ed->ed_strsize = 0;
}

/* The area is full: double it, up to NCARGS (E2BIG beyond, as XNU). */
static int execargs_grow(struct exec_data *ed)
{
	uint64_t nsize = ed->ed_strsize * 2;
	char *n;

	if (ed->ed_strsize >= XS_NCARGS)
		return E2BIG;
	if (nsize > XS_NCARGS)
		nsize = XS_NCARGS;
	n = xs_kmem_alloc(nsize);
	if (!n)
		return ENOMEM;
	xs_memcpy(n, ed->ed_strings, ed->ed_strused);
	xs_kmem_free(ed->ed_strings, ed->ed_strsize);
	ed->ed_strings = n;
	ed->ed_strsize = nsize;
	return 0;
}

/*
 * Routine:    exec_save_path
 * Purpose:    Copy the path exec was given, as given (apple[0]
 *             executable_path and the #! script's argument use it).
 * Returns:    0, EFAULT, ENAMETOOLONG.
 */
int xs_exec_save_path(struct exec_data *ed, user_addr_t path)
{
	XS_FUNC_AT(exec_save_path, XS_KERN_EXEC_PATH);
	int rc = osl_copyinstr(path, ed->ed_path, sizeof(ed->ed_path), NULL);

	if (rc == -2)
		return ENAMETOOLONG;
	return rc ? EFAULT : 0;
}

/* Append a kernel string (with its NUL). */
static int strings_add(struct exec_data *ed, const char *s)
{
	uint64_t len = xs_strlen(s) + 1;
	int error;

	while (ed->ed_strsize - ed->ed_strused < len)
		if ((error = execargs_grow(ed)) != 0)
			return error;
	xs_memcpy(ed->ed_strings + ed->ed_strused, s, len);
	ed->ed_strused += len;
	return 0;
}

/* Append a user string; grow and retry while it does not fit. */
static int strings_add_user(struct exec_data *ed, user_addr_t s)
{
	for (;;) {
		size_t done = 0;
		int rc = osl_copyinstr(s, ed->ed_strings + ed->ed_strused,
				       ed->ed_strsize - ed->ed_strused, &done);
		int error;

		if (rc == 0) {
			ed->ed_strused += done;
			return 0;
		}
		if (rc == -1)
			return EFAULT;
		if ((error = execargs_grow(ed)) != 0)
			return error;
	}
}

/* Copy in a NULL-terminated user vector of strings; *count gets its length. */
static int strings_add_vector(struct exec_data *ed, user_addr_t vec, bool skip_first,
			      uint32_t *count)
{
	for (uint64_t i = 0; vec; i++) {
		uint64_t s;
		int error;

		if (osl_copyin(vec + i * sizeof(uint64_t), &s, sizeof(s)) != 0)
			return EFAULT;
		if (s == 0)
			break;
		if (skip_first && i == 0)
			continue;
		if (i >= XS_NCARGS / 2)
			return E2BIG;
		if ((error = strings_add_user(ed, s)) != 0)
			return error;
		(*count)++;
	}
	return 0;
}

/*
 * Routine:    exec_extract_strings
 * Purpose:    Copy argv and envp in.  For a #! script argv becomes the
 *             interpreter's words (Darwin passes each word separately),
 *             then the script's path as given, then argv[1...].
 * Returns:    0, EFAULT, E2BIG, ENOMEM.
 */
int xs_exec_extract_strings(struct exec_data *ed)
{
	XS_FUNC_AT(exec_extract_strings, XS_KERN_EXEC_PATH);
	struct image_params *imgp = &ed->ed_image;
	bool interp = (imgp->ip_flags & IMGPF_INTERPRET) != 0;
	char word[IMG_SHSIZE];
	int error;

	ed->ed_strused = 0;
	ed->ed_argc = ed->ed_envc = 0;
	if (interp) {
		for (unsigned n = 0; xs_exec_interp_word(imgp, n, word, sizeof(word)) >= 0; n++) {
			if ((error = strings_add(ed, word)) != 0)
				return error;
			ed->ed_argc++;
		}
		if ((error = strings_add(ed, ed->ed_path)) != 0)
			return error;
		ed->ed_argc++;
	}
	error = strings_add_vector(ed, ed->ed_user_argv, interp, &ed->ed_argc);
	if (error)
		return error;
	ed->ed_envoff = ed->ed_strused;
	return strings_add_vector(ed, ed->ed_user_envv, false, &ed->ed_envc);
}

/* "0x" + lowercase hex of v, appended at *p. */
static char *put_hex(char *p, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	int shift = 60;

	*p++ = '0';
	*p++ = 'x';
	while (shift > 0 && ((v >> shift) & 0xf) == 0)
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		*p++ = digits[(v >> shift) & 0xf];
	*p = '\0';
	return p;
}

static char *put_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	*p = '\0';
	return p;
}

/* Boot-time-seeded xorshift: the "random" values of apple[] (no RNG in the core). */
static uint64_t apple_random(struct exec_data *ed, uint64_t salt)
{
	uint64_t x = osl_absolute_time() ^ (salt * 0x9e3779b97f4a7c15ull) ^
		     ed->ed_newproc->p_uniqueid << 32;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

/* fsid,fileid of a vnode, as executable_file= and dyld_file= print them. */
static char *put_file_id(char *p, struct vnode *vp)
{
	struct memfs_node *mn = vp->v_data;

	p = put_hex(p, (uint64_t)(uint32_t)vp->v_mount->mnt_dev);
	*p++ = ',';
	return put_hex(p, mn->mn_fileid);
}

/*
 * Routine:    exec_add_apple_strings
 * Purpose:    apple[]: executable_path= (the path as passed), pfz=,
 *             stack_guard=, malloc_entropy=, ptr_munge=, main_stack=,
 *             executable_file=, dyld_file=, in XNU's order.  th_port= is
 *             left out (no send right is made for libpthread).
 */
static void xs_exec_add_apple_strings(struct exec_data *ed, const load_result_t *r)
{
	XS_FUNC_AT(exec_add_apple_strings, XS_KERN_EXEC_PATH);
	char *p;

	ed->ed_applec = 0;
	p = put_str(ed->ed_apple[ed->ed_applec++], "executable_path=");
	xs_strlcpy(p, ed->ed_path, sizeof(ed->ed_apple[0]) - 16);
	p = put_str(ed->ed_apple[ed->ed_applec++], "pfz=");
	put_hex(p, XS_VM_MAP_USER_MAX - (1ull << 31));	/* commpage text: not mapped here */
	p = put_str(ed->ed_apple[ed->ed_applec++], "stack_guard=");
	put_hex(p, apple_random(ed, 1) & ~0xff00ull);	/* second byte zeroed */
	p = put_str(ed->ed_apple[ed->ed_applec++], "malloc_entropy=");
	p = put_hex(p, apple_random(ed, 2));
	*p++ = ',';
	put_hex(p, apple_random(ed, 3));
	p = put_str(ed->ed_apple[ed->ed_applec++], "ptr_munge=");
	put_hex(p, apple_random(ed, 4));
	if (!r->custom_stack) {
		p = put_str(ed->ed_apple[ed->ed_applec++], "main_stack=");
		p = put_hex(p, ed->ed_stack_top);
		*p++ = ',';
		p = put_hex(p, r->user_stack_alloc_size);
		*p++ = ',';
		p = put_hex(p, ed->ed_stack_top - r->user_stack_alloc_size);
		*p++ = ',';
		put_hex(p, r->user_stack_alloc_size);
	}
	if (ed->ed_vp) {
		p = put_str(ed->ed_apple[ed->ed_applec++], "executable_file=");
		put_file_id(p, ed->ed_vp);
	}
	if (ed->ed_dyld_vp && r->dynlinker) {
		p = put_str(ed->ed_apple[ed->ed_applec++], "dyld_file=");
		put_file_id(p, ed->ed_dyld_vp);
	}
}

/* Bytes the top of the stack needs: every string and vector, with slack. */
static uint64_t exec_stack_strings_size(const struct exec_data *ed)
{
	uint64_t n = 16 + xs_strlen(ed->ed_path) + 1 + ed->ed_strused;

	n += XS_APPLE_MAX * sizeof(ed->ed_apple[0]);
	n += (ed->ed_argc + ed->ed_envc + XS_APPLE_MAX + 5) * sizeof(uint64_t);
	return n + 64;
}

/* Arena-backed memory at [addr, addr + size) of map; *kaddr gets its pages. */
static int stack_enter_shared(struct vm_map *map, uint64_t addr, uint64_t size, char **kaddr)
{
	struct vm_map_kernel_flags vmk = { .vmf_fixed = true, .vm_tag = VM_MEMORY_STACK };
	struct vm_map_enter_backing b = { 0 };
	mach_vm_address_t a = addr;

	b.object = xs_vm_object_allocate(size, XS_VMO_ANON_SHARED);
	if (!b.object)
		return ENOMEM;
	*kaddr = b.object->vo_kaddr;
	if (xs_vm_map_enter(map, &a, size, &vmk, &b, VM_PROT_READ | VM_PROT_WRITE, VM_PROT_ALL,
			    VM_INHERIT_DEFAULT) != KERN_SUCCESS) {
		xs_vm_object_deallocate(b.object);
		return ENOMEM;
	}
	return 0;
}

/* exec_copyout_strings' writer: user address ua of the shared top, in kernel memory. */
struct stack_writer {
	char *kbase;
	uint64_t ubase;
};

static void sw_put(const struct stack_writer *w, uint64_t ua, const void *src, size_t len)
{
	xs_memcpy(w->kbase + (ua - w->ubase), src, len);
}

/*
 * Routine:    exec_copyout_strings
 * Purpose:    The initial stack, from high to low: 16 bytes, the executable
 *             path, the argv/envp/apple strings, then (16-byte aligned)
 *             NULL-terminated apple[], envp[], argv[] vectors, argc, and
 *             the main executable's mach_header address where sp points
 *             (pushed because dyld is loaded).
 * Conditions: The top of the stack is mapped by create_unix_stack.
 */
static void xs_exec_copyout_strings(struct exec_data *ed, const struct stack_writer *w,
				    const load_result_t *r)
{
	XS_FUNC_AT(exec_copyout_strings, XS_KERN_EXEC_PATH);
	uint32_t nptr = ed->ed_argc + 1 + ed->ed_envc + 1 + ed->ed_applec + 1;
	uint64_t ua = ed->ed_stack_top - 16, strp, vec, off = 0;
	uint64_t apple_ptr[XS_APPLE_MAX], word;
	size_t plen = xs_strlen(ed->ed_path) + 1;

	ua -= plen;				/* the executable path first */
	sw_put(w, ua, ed->ed_path, plen);
	ua -= ed->ed_strused;			/* argv and envp strings */
	strp = ua;
	sw_put(w, ua, ed->ed_strings, ed->ed_strused);
	for (uint32_t i = ed->ed_applec; i-- > 0;) {
		size_t l = xs_strlen(ed->ed_apple[i]) + 1;

		ua -= l;
		sw_put(w, ua, ed->ed_apple[i], l);
		apple_ptr[i] = ua;
	}
	vec = xs_round_down(ua - (nptr + 2) * sizeof(uint64_t), 16);
	ed->ed_sp = vec;
	word = r->mach_header;
	sw_put(w, vec, &word, 8);		/* the mach_header slot */
	word = ed->ed_argc;
	sw_put(w, vec + 8, &word, 8);
	vec += 16;
	for (uint32_t i = 0; i <= ed->ed_argc + ed->ed_envc; i++, vec += 8) {
		if (i == ed->ed_argc) {		/* argv's NULL between the two */
			word = 0;
			sw_put(w, vec, &word, 8);
			vec += 8;
		}
		if (i == ed->ed_argc + ed->ed_envc)
			break;
		word = strp + off;
		sw_put(w, vec, &word, 8);
		off += xs_strlen(ed->ed_strings + off) + 1;
	}
	word = 0;
	sw_put(w, vec, &word, 8);		/* envp's NULL */
	vec += 8;
	for (uint32_t i = 0; i < ed->ed_applec; i++, vec += 8)
		sw_put(w, vec, &apple_ptr[i], 8);
	sw_put(w, vec, &word, 8);		/* apple's NULL */
}

/* vm_map_switch_to: the kernel writes the new map's memory (arena-backed here). */
static void xs_vm_map_switch_to(struct exec_data *ed, const struct stack_writer *w,
				const load_result_t *r)
{
	XS_FUNC_AT(vm_map_switch_to, "osfmk/vm/vm_map.c");
	xs_exec_copyout_strings(ed, w, r);
}

/*
 * Routine:    create_unix_stack
 * Purpose:    Allocate the main thread's stack in the new map (below
 *             load_machfile's user_stack, user_stack_alloc_size bytes),
 *             then add the apple[] strings and copy everything out.
 * Returns:    0, ENOMEM (the stack does not fit).
 */
int xs_create_unix_stack(struct exec_data *ed, struct vm_map *map)
{
	XS_FUNC_AT(create_unix_stack, XS_KERN_EXEC_PATH);
	const load_result_t *r = &ed->ed_image.ip_result;
	uint64_t pmask = xs_vm_map_page_mask(map);
	uint64_t top = xs_vm_map_trunc_page(r->user_stack, pmask);
	uint64_t shared = xs_vm_map_round_page(exec_stack_strings_size(ed), pmask);
	uint64_t alloc = xs_vm_map_round_page(r->user_stack_alloc_size, pmask);
	struct stack_writer w;
	int error;

	if (top < shared || top - shared < XS_VM_MAP_USER_MIN)
		return ENOMEM;
	ed->ed_stack_top = top;
	error = stack_enter_shared(map, top - shared, shared, &w.kbase);
	if (error)
		return error;
	w.ubase = top - shared;
	if (!r->custom_stack && alloc > shared) {
		mach_vm_address_t addr = top - alloc;

		if (xs_mach_vm_allocate_kernel(map, &addr, alloc - shared, VM_FLAGS_FIXED |
					       (VM_MEMORY_STACK << 24)) != KERN_SUCCESS)
			return ENOMEM;
	}
	xs_exec_add_apple_strings(ed, r);
	xs_vm_map_switch_to(ed, &w, r);
	return 0;
}
