import { isPrivateAddress, resolveTarget, TargetRefusedError } from './target-address';

describe('webhook target addresses', () => {
  it('refuses private, loopback, link-local, CGNAT, multicast and reserved IPv4', () => {
    for (const address of ['10.0.0.1', '127.0.0.1', '127.255.255.254', '169.254.169.254', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255']) {
      expect([address, isPrivateAddress(address)]).toEqual([address, true]);
    }
  });

  it('refuses loopback, unique-local, link-local and IPv4-mapped private IPv6', () => {
    for (const address of ['::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:10.1.2.3', '64:ff9b::a00:1']) {
      expect([address, isPrivateAddress(address)]).toEqual([address, true]);
    }
  });

  it('allows public addresses, and treats what is not an address as private', () => {
    for (const address of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8']) {
      expect([address, isPrivateAddress(address)]).toEqual([address, false]);
    }
    expect(isPrivateAddress('localhost')).toBe(true);
  });

  it('checks what a host name resolves to, unless private targets are allowed', async () => {
    await expect(resolveTarget(new URL('http://localhost:9246/'), false)).rejects.toBeInstanceOf(TargetRefusedError);
    await expect(resolveTarget(new URL('http://[::1]:9246/'), false)).rejects.toThrow(/private, loopback or link-local/);
    await expect(resolveTarget(new URL('http://127.0.0.1:9246/'), true)).resolves.toEqual({ address: '127.0.0.1', family: 4 });
    await expect(resolveTarget(new URL('https://93.184.216.34/'), false)).resolves.toEqual({ address: '93.184.216.34', family: 4 });
  });
});
