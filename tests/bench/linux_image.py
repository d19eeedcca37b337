"""The Linux peer for `make bench`: Debian's kernel and an initramfs built
here from Debian packages (busybox-static and the e1000 module from the same
linux-image package), so the peer is what a Debian user would boot.

    kernel, initrd = linux_image.build(build_dir)

The .debs are fetched with `apt-get download` into BUILD/bench/debs (the
only network access of the bench: Debian's mirror) and kept for later runs.
Standard library only, plus dpkg-deb and apt-get.
"""

import glob
import os
import re
import shutil
import stat
import subprocess

PACKAGES = ['linux-image-amd64', 'busybox-static']
MODULE = 'e1000'

# The guest's /init: each step between two `BENCH` markers; the host times
# the markers as they arrive on the console (busybox's date has no %N).
INIT = r'''#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
echo "BENCH ready"
for m in %(modules)s; do insmod /lib/modules/$m.ko; done
ip link set lo up
ip link set eth0 up
udhcpc -i eth0 -f -q -n -t 30 -T 1 -s /udhcpc.sh >/dev/null 2>&1 || echo "BENCH nodhcp"
echo "BENCH bound"
if grep -q bench=httpd /proc/cmdline; then
	# The server row: busybox httpd with the page Pigeon's httpd serves.
	mkdir -p /www
	echo "Hello from Pigeon!" > /www/hello.txt
	httpd -p 80 -h /www
	echo "BENCH httpd $(cat /tmp/ip)"
	while :; do sleep 3600; done
fi
echo "BENCH dns-start"
nslookup www.google.com >/dev/null 2>&1
echo "BENCH dns-end $?"
echo "BENCH page-start"
wget -q -O /dev/null http://www.google.com/
echo "BENCH page-end $?"
echo "BENCH big-start"
wget -q -O /dev/null http://www.google.com/%(big)s
echo "BENCH big-end $?"
echo "BENCH mem $(grep MemTotal /proc/meminfo | tr -s ' ' | cut -d' ' -f2) $(grep MemAvailable /proc/meminfo | tr -s ' ' | cut -d' ' -f2)"
echo "BENCH done"
poweroff -f
'''

# udhcpc calls this with the lease in the environment.
UDHCPC_SCRIPT = r'''#!/bin/sh
case "$1" in
bound|renew)
	ip addr flush dev "$interface"
	ip addr add "$ip/${mask:-24}" dev "$interface"
	echo "$ip" > /tmp/ip
	for r in $router; do ip route add default via "$r" dev "$interface"; break; done
	: > /etc/resolv.conf
	for d in $dns; do echo "nameserver $d" >> /etc/resolv.conf; done
	;;
esac
exit 0
'''


class ImageError(Exception):
    pass


def _run(argv, cwd=None):
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise ImageError('%s: %s' % (' '.join(argv), proc.stderr.strip()[-500:]))
    return proc.stdout


def _download(debs):
    """apt-get download the packages (and the versioned kernel behind the
    linux-image-amd64 metapackage) unless they are there already."""
    os.makedirs(debs, exist_ok=True)
    if glob.glob(os.path.join(debs, 'linux-image-6*.deb')) and \
            glob.glob(os.path.join(debs, 'busybox-static_*.deb')):
        return
    deps = _run(['apt-cache', 'depends', 'linux-image-amd64'])
    kernels = re.findall(r'Depends: (linux-image-\d\S*)', deps)
    if not kernels:
        raise ImageError('linux-image-amd64 depends on no versioned kernel')
    _run(['apt-get', 'download'] + PACKAGES + kernels[:1], cwd=debs)


def _modinfo_depends(path):
    """The `depends=` field of a module's .modinfo (comma-separated)."""
    with open(path, 'rb') as f:
        m = re.search(rb'depends=([^\0]*)\0', f.read())
    return [d for d in (m.group(1).decode().split(',') if m else []) if d]


def _modules_in_order(moddir, name):
    """NAME and what it depends on, dependencies first, as paths."""
    paths = {}
    for root, _, files in os.walk(moddir):
        for f in files:
            if f.endswith('.ko'):
                paths.setdefault(f[:-3].replace('-', '_'), os.path.join(root, f))
    order = []

    def visit(mod):
        key = mod.replace('-', '_')
        if key in order:
            return
        if key not in paths:
            raise ImageError('module %s not in the linux-image package' % mod)
        for dep in _modinfo_depends(paths[key]):
            visit(dep)
        order.append(key)
    visit(name)
    return [(m, paths[m]) for m in order]


def _cpio_entry(out, ino, name, st, data):
    """One "newc" record: a header of 13 hex fields, the name, the data,
    each padded to 4 bytes (the format the kernel unpacks, cpio(5))."""
    name_b = name.encode() + b'\0'
    rdev = st.st_rdev if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else 0
    fields = (ino, st.st_mode, 0, 0, 1, 0, len(data), 0, 0,
              os.major(rdev), os.minor(rdev), len(name_b), 0)
    out.write(b'070701' + b''.join(b'%08X' % v for v in fields) + name_b)
    out.write(b'\0' * (-(110 + len(name_b)) % 4))
    out.write(data + b'\0' * (-len(data) % 4))


def _cpio(rootdir, out):
    """A newc cpio archive of ROOTDIR (what the kernel unpacks as /)."""
    with open(out, 'wb') as f:
        ino = 1
        for root, dirs, names in os.walk(rootdir):
            dirs.sort()
            for n in sorted(dirs) + sorted(names):
                path = os.path.join(root, n)
                st = os.lstat(path)
                data = b''
                if stat.S_ISREG(st.st_mode):
                    with open(path, 'rb') as src:
                        data = src.read()
                elif stat.S_ISLNK(st.st_mode):
                    data = os.readlink(path).encode()
                _cpio_entry(f, ino, os.path.relpath(path, rootdir), st, data)
                ino += 1
        _cpio_entry(f, 0, 'TRAILER!!!', os.stat_result((0,) * 10), b'')


def _init_text(big_name, modules=None):
    return INIT % {'modules': ' '.join(modules or [MODULE]), 'big': big_name}


def build(build_dir, big_name):
    """Build (once) BUILD/bench/linux/{vmlinuz,initrd.cpio}; return the paths."""
    bench = os.path.join(build_dir, 'bench')
    debs = os.path.join(bench, 'debs')
    out = os.path.join(bench, 'linux')
    kernel, initrd = os.path.join(out, 'vmlinuz'), os.path.join(out, 'initrd.cpio')
    stamp = os.path.join(out, 'init')
    try:
        with open(stamp) as f:
            if f.read() == _init_text(big_name) and os.path.exists(kernel) \
                    and os.path.exists(initrd):
                return kernel, initrd       # built by this very script before
    except OSError:
        pass
    _download(debs)
    tree = os.path.join(out, 'debs-tree')
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(tree)
    for deb in sorted(glob.glob(os.path.join(debs, '*.deb'))):
        _run(['dpkg-deb', '-x', deb, tree])
    vmlinuz = glob.glob(os.path.join(tree, 'boot', 'vmlinuz-*'))
    moddirs = glob.glob(os.path.join(tree, 'lib', 'modules', '*'))
    if not vmlinuz or not moddirs:
        raise ImageError('no vmlinuz or modules in the linux-image package')
    shutil.copy(vmlinuz[0], kernel)

    root = os.path.join(out, 'root')
    for d in ('bin', 'sbin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'lib/modules',
              'usr/bin', 'usr/sbin'):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    shutil.copy(os.path.join(tree, 'bin', 'busybox'), os.path.join(root, 'bin', 'busybox'))
    mods = _modules_in_order(moddirs[0], MODULE)
    for name, path in mods:
        shutil.copy(path, os.path.join(root, 'lib', 'modules', name + '.ko'))
    init = _init_text(big_name, [n for n, _ in mods])
    # The kernel opens /dev/console for init before anything is mounted.
    os.mknod(os.path.join(root, 'dev', 'console'), stat.S_IFCHR | 0o600,
             os.makedev(5, 1))
    for path, text in ((os.path.join(root, 'init'), init),
                       (os.path.join(root, 'udhcpc.sh'), UDHCPC_SCRIPT)):
        with open(path, 'w') as f:
            f.write(text)
        os.chmod(path, 0o755)
    _cpio(root, initrd)
    shutil.rmtree(tree, ignore_errors=True)
    with open(stamp, 'w') as f:
        f.write(init)
    return kernel, initrd
