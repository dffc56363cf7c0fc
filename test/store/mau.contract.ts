/** The MauStore contract: every implementation (memory, DynamoDB) passes the same suite. */
import type { MauStore } from '../../lambdas/core/stores';

export function mauStoreContract(name: string, make: () => Promise<MauStore>): void {
  describe(`MauStore contract: ${name}`, () => {
    let mau: MauStore;
    beforeEach(async () => {
      mau = await make();
    });

    test('a user counts once per month; months and users are apart', async () => {
      const mark = { month: '2026-03', provider: 'dev', userId: 'u-1', at: 1_772_323_200 };
      expect(await mau.markActive(mark)).toBe(true);
      expect(await mau.markActive(mark)).toBe(false);
      expect(await mau.markActive({ ...mark, userId: 'u-2' })).toBe(true);
      expect(await mau.markActive({ ...mark, provider: 'github' })).toBe(true);
      expect(await mau.markActive({ ...mark, month: '2026-04' })).toBe(true);
      expect(await mau.count('2026-03')).toBe(3);
      expect(await mau.count('2026-04')).toBe(1);
      expect(await mau.count('2026-05')).toBe(0);
    });

    test('100 concurrent marks of one user: exactly one counts', async () => {
      const mark = { month: '2026-06', provider: 'dev', userId: 'u-race', at: 1_780_272_000 };
      const results = await Promise.all(Array.from({ length: 100 }, () => mau.markActive(mark)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await mau.count('2026-06')).toBe(1);
    });
  });
}
