"""UEFI (issue 7): OVMF boots Pigeon two ways, and each reaches the prompt,
draws it on the framebuffer console, powers off through ACPI and fetches
the netlab's www.google.com.

  esp: build/pigeon-efi.img, a FAT ESP with BOOTX64.EFI (boot/efi/, gnu-efi),
       pigeon.elf and a cmdline file; the loader enters the kernel in long mode.
  iso: build/pigeon.iso, the hybrid ISO, whose GRUB for UEFI boots the same
       kernel through multiboot2 and hands over a GOP framebuffer.

The screen is checked in a QEMU monitor screendump (PPM): some text row
must hold exactly the pixels that drivers/fbcon_font.c's glyphs give for
"pigeon> ", light grey on black.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BANNER_RE, BUILD, ENTER, ISO, PROMPT, QEMU, ROOT,  # noqa: E402
                     Guest, GuestError, note)
import netlab                                                           # noqa: E402

OVMF = '/usr/share/ovmf/OVMF.fd'
ESP = os.path.join(BUILD, 'pigeon-efi.img')
FONT_C = os.path.join(ROOT, 'drivers', 'fbcon_font.c')
BOOT_TIMEOUT = 120          # OVMF ~2.5 s, GRUB for UEFI ~3.4 s under TCG; be generous
CELL_W, CELL_H = 8, 16
FG = (0xAA, 0xAA, 0xAA)     # VGA attribute 0x07: light grey on black
BG = (0, 0, 0)
LEASE_RE = r'eth0: (\S+)/\d+ gw \S+ dns \S+ \(dhcp'
SUMMARY_RE = r'(?m)^200 OK, \d+ bytes in '


class UefiGuest(Guest):
    """A Guest that OVMF boots from the ESP image or the hybrid ISO.

    media:   'esp' or 'iso'.
    cmdline: for 'esp', the kernel command line put in a private copy of
             the image's cmdline file (None: the image as built).
    esp:     for 'esp', another image to boot (e.g. a broken one).
    """

    def __init__(self, media='esp', cmdline=None, esp=None, **kw):
        super().__init__(boot='direct', **kw)
        if media not in ('esp', 'iso'):
            raise ValueError("media must be 'esp' or 'iso'")
        self.media = media
        self.image = esp or (ESP if media == 'esp' else ISO)
        self.cmdline = cmdline
        self._uefi_tmp = None

    def start(self):
        if self.proc is None:
            for path, what in ((OVMF, 'OVMF (apt-get install ovmf)'),
                               (self.image, '%s (run make)' % os.path.relpath(self.image, ROOT))):
                if not os.path.exists(path):
                    raise GuestError('%s not found: %s' % (path, what))
            if self.cmdline is not None:
                self._uefi_tmp = tempfile.mkdtemp(prefix='pigeon-esp-')
                copy = os.path.join(self._uefi_tmp, 'esp.img')
                shutil.copyfile(self.image, copy)
                esp_put(copy, 'cmdline', self.cmdline + '\n')
                self.image = copy
        return super().start()

    def close(self):
        super().close()
        if self._uefi_tmp:
            shutil.rmtree(self._uefi_tmp, ignore_errors=True)
            self._uefi_tmp = None

    def qemu_argv(self):
        argv = [QEMU, '-accel', self.accel, '-m', str(self.memory),
                '-display', 'none', '-serial', 'stdio', '-no-reboot',
                '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04',
                '-bios', OVMF]
        if self._mon_path:
            argv += ['-monitor', 'unix:%s,server,nowait' % self._mon_path]
        else:
            argv += ['-monitor', 'none']
        # snapshot=on: the firmware may write, the file stays as built, and
        # tests running at once can share it.
        if self.media == 'esp':
            argv += ['-drive', 'if=none,id=esp,format=raw,snapshot=on,file=' + self.image,
                     '-device', 'ide-hd,drive=esp,bootindex=0']
        else:
            argv += ['-drive', 'if=none,id=cd,media=cdrom,readonly=on,file=' + self.image,
                     '-device', 'ide-cd,drive=cd,bootindex=0']
        if self.net is None:
            argv += ['-nic', 'none']
        else:
            argv += self.net.qemu_args()
        return argv + self.extra


def mtools(*argv):
    subprocess.run(argv, check=True, env=dict(os.environ, MTOOLS_SKIP_CHECK='1'),
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def esp_put(image, name, text):
    """Write a file into the root of a FAT image."""
    with tempfile.NamedTemporaryFile('w', delete=False) as f:
        f.write(text)
    try:
        mtools('mcopy', '-o', '-i', image, f.name, '::/' + name)
    finally:
        os.unlink(f.name)


# --- the framebuffer --------------------------------------------------------

def font():
    """{char: 8 row bytes} from the table in drivers/fbcon_font.c."""
    with open(FONT_C) as f:
        rows = re.findall(r'^\s*\{\s*((?:0x[0-9a-fA-F]{2},\s*){7}0x[0-9a-fA-F]{2})\s*\},', f.read(), re.M)
    assert len(rows) == 0x7f - 0x20, 'fbcon_font.c: %d glyphs, expected 95' % len(rows)
    return {chr(0x20 + i): [int(b, 16) for b in r.split(',')] for i, r in enumerate(rows)}


def ppm_read(path):
    """(width, height, bytes of RGB triples) of a binary PPM (P6, maxval 255)."""
    with open(path, 'rb') as f:
        data = f.read()
    fields, pos = [], 0
    while len(fields) < 4:
        m = re.compile(rb'\s*(#[^\n]*\n\s*)*(\S+)').match(data, pos)
        assert m, 'bad PPM header'
        fields.append(m.group(2))
        pos = m.end()
    assert fields[0] == b'P6' and fields[3] == b'255', 'not a P6/255 PPM: %r' % fields
    width, height = int(fields[1]), int(fields[2])
    pixels = data[pos + 1:]
    assert len(pixels) >= width * height * 3, 'PPM shorter than %dx%d' % (width, height)
    return width, height, pixels


def text_rows(width, height, pixels, text, glyphs):
    """Text rows (0-based) whose first cells show exactly text."""
    want = []
    for y in range(CELL_H):
        line = b''
        for ch in text:
            bits = glyphs[ch][y * 8 // CELL_H]
            line += b''.join(bytes(FG if bits & (0x80 >> x) else BG) for x in range(CELL_W))
        want.append(line)
    found = []
    for row in range(height // CELL_H):
        ok = True
        for y in range(CELL_H):
            start = ((row * CELL_H + y) * width) * 3
            if pixels[start:start + len(want[y])] != want[y]:
                ok = False
                break
        if ok:
            found.append(row)
    return found


def check_screen_prompt(g, tmpdir):
    """The framebuffer shows "pigeon> " at the start of some text row. The
    serial port is written before the screen, so retry for a moment."""
    glyphs = font()
    path = os.path.join(tmpdir, 'screen.ppm')
    deadline = time.monotonic() + 10 * g.scale
    while True:
        out = g.hmp('screendump ' + path)
        assert not out.strip(), 'screendump: %s' % out
        width, height, pixels = ppm_read(path)
        rows = text_rows(width, height, pixels, PROMPT, glyphs)
        if rows:
            lit = sum(1 for i in range(0, width * height * 3, 3) if pixels[i:i + 3] == bytes(FG))
            note('%s: screen %dx%d, prompt drawn on text row %d, %d pixels lit'
                 % (g.media, width, height, rows[-1], lit))
            return
        if time.monotonic() > deadline:
            kept = os.path.join(BUILD, 'qemu-logs', 'uefi-%s-screen.ppm' % g.media)
            os.makedirs(os.path.dirname(kept), exist_ok=True)
            shutil.copyfile(path, kept)
            raise g.failure('no text row of the %dx%d screen shows %r in the font '
                            '(screenshot kept in %s)' % (width, height, PROMPT, kept))
        time.sleep(0.5)


def poweroff(g):
    g.type('poweroff')
    g.send(ENTER)
    status = g.wait_exit()
    assert status == 0, 'QEMU exited with %d after poweroff, not 0' % status


# --- the tests ----------------------------------------------------------------

def test_esp_boot():
    """gnu-efi loader: prompt, uptime, the prompt on the screen, poweroff."""
    tmp = tempfile.mkdtemp(prefix='pigeon-uefi-')
    try:
        with UefiGuest('esp', monitor=True) as g:
            g.expect(r'BOOTX64: pigeon\.elf \d+ bytes, 64-bit entry 0x[0-9A-Fa-f]+; '
                     r'framebuffer [1-9]\d*x[1-9]\d* at 0x[0-9A-Fa-f]+; ACPI RSDP 2\.0', BOOT_TIMEOUT)
            g.expect(BANNER_RE + r'\S+ \(uefi, BOOTX64\.EFI \(gnu-efi\)', 30)
            m = g.expect(r'memory: (\d+) MiB usable', 30)
            assert int(m.group(1)) >= 100, 'only %s MiB usable of 128' % m.group(1)
            g.wait_prompt()
            note('ESP (OVMF + BOOTX64.EFI) reached the prompt in %.2f s' % g.boot_seconds)
            out = g.run('uptime')
            assert re.match(r'up \d+:\d\d:\d\d', out), 'uptime printed %r' % out
            check_screen_prompt(g, tmp)
            poweroff(g)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_esp_cmdline_file():
    """The cmdline file beside the kernel reaches the shell's autorun."""
    with UefiGuest('esp', cmdline='autorun="echo from-the-esp; poweroff"') as g:
        g.expect(r'pigeon> echo from-the-esp\r*\nfrom-the-esp\r*\n', BOOT_TIMEOUT)
        status = g.wait_exit()
        assert status == 0, 'QEMU exited with %d after poweroff, not 0' % status


def test_iso_boot():
    """GRUB for UEFI from the hybrid ISO: multiboot2, a GOP framebuffer."""
    tmp = tempfile.mkdtemp(prefix='pigeon-uefi-')
    try:
        with UefiGuest('iso', monitor=True) as g:
            g.expect(BANNER_RE + r'\S+ \(multiboot2, GRUB', BOOT_TIMEOUT)
            g.wait_prompt()
            note('ISO (OVMF + GRUB for UEFI) reached the prompt in %.2f s' % g.boot_seconds)
            check_screen_prompt(g, tmp)
            poweroff(g)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def fetch_google(g):
    g.wait_prompt()
    g.expect(LEASE_RE, timeout=60)
    out = g.run('fetch www.google.com', timeout=60)
    assert '<title>Google</title>' in out and re.search(SUMMARY_RE, out), \
        'fetch www.google.com printed:\n%s' % out[-2000:]


def test_esp_fetch_tap():
    with netlab.Netlab('tap', http=True) as lab, UefiGuest('esp', net=lab) as g:
        fetch_google(g)


def test_iso_fetch_slirp():
    with netlab.Netlab('user', http=True) as lab, UefiGuest('iso', net=lab) as g:
        fetch_google(g)


def test_loader_errors():
    """A broken ESP: the loader says why on COM1 and waits for a key
    instead of hanging silently or jumping into garbage."""
    tmp = tempfile.mkdtemp(prefix='pigeon-esp-')
    try:
        img = os.path.join(tmp, 'esp.img')
        shutil.copyfile(ESP, img)
        with open(os.path.join(BUILD, 'pigeon.elf'), 'rb') as f:
            elf = f.read()
        cases = [
            (elf[:4096], r'\\pigeon\.elf: a PT_LOAD segment runs past the end of the file'),
            (b'MZ' + elf[2:], r'\\pigeon\.elf: not an ELF file'),
            (None, r'cannot read \\pigeon\.elf from our volume \(Not Found\)'),
        ]
        for data, why in cases:
            mtools('mdel', '-i', img, '::/pigeon.elf')
            if data is not None:
                kernel = os.path.join(tmp, 'pigeon.elf')
                with open(kernel, 'wb') as f:
                    f.write(data)
                mtools('mcopy', '-o', '-i', img, kernel, '::/pigeon.elf')
            with UefiGuest('esp', esp=img) as g:
                g.expect(r'BOOTX64: ' + why, BOOT_TIMEOUT)
                g.expect(r'BOOTX64: press a key to return to the firmware', 10)
                if data is None:
                    # The key gives the boot back to the firmware, which
                    # goes on to its next boot option.
                    g.send('x')
                    g.expect(r'BdsDxe: failed to start Boot\d+ "UEFI QEMU HARDDISK', 30)
                assert 'Pigeon ' not in g.output, 'the kernel started anyway'
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_load_options():
    """Without a cmdline file the command line comes from the image's load
    options: the UEFI shell starts the loader (moved out of EFI/BOOT, so
    the firmware falls back to its shell) from startup.nsh with arguments."""
    tmp = tempfile.mkdtemp(prefix='pigeon-esp-')
    try:
        img = os.path.join(tmp, 'esp.img')
        shutil.copyfile(ESP, img)
        mtools('mdel', '-i', img, '::/cmdline')
        mtools('mmd', '-i', img, '::/EFI/pigeon')
        mtools('mcopy', '-i', img, os.path.join(BUILD, 'BOOTX64.EFI'), '::/EFI/pigeon/loader.efi')
        mtools('mdel', '-i', img, '::/EFI/BOOT/BOOTX64.EFI')
        esp_put(img, 'startup.nsh',
                'fs0:\\EFI\\pigeon\\loader.efi autorun="echo from-load-options; poweroff"\r\n')
        with UefiGuest('esp', esp=img) as g:
            g.expect(r'or any other key to continue', BOOT_TIMEOUT)
            g.send('x')             # any key but ESC: run startup.nsh now
            g.expect(r'pigeon> echo from-load-options\r*\nfrom-load-options\r*\n', 60)
            status = g.wait_exit()
            assert status == 0, 'QEMU exited with %d after poweroff, not 0' % status
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
