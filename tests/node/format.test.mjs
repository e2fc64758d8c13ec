// The page's one number formatter (web/src/format.js): thousands separators, the unit stepping
// to TiB/MiB (TB/MB) so that no "229511.0 GiB" or "0.000 GiB" is shown, long times in s/min/h,
// and an em dash for anything non-finite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fmt from '../../web/src/format.js';

const GiB = 2 ** 30;

test('bytes: binary family with TiB, MiB and KiB; separators; never 0.000', () => {
  assert.equal(fmt.bytes(20.6 * GiB, 'GiB'), '20.6 GiB');
  assert.equal(fmt.bytes(128.4 * GiB, 'GiB'), '128.4 GiB');
  assert.equal(fmt.bytes(1.5 * GiB, 'GiB'), '1.50 GiB');
  // From a tenth of the chosen unit up the chosen unit stays (0.50 GiB, not 512 MiB)...
  assert.equal(fmt.bytes(0.5 * GiB, 'GiB'), '0.50 GiB');
  // ...below it the next unit down: 64 MiB, 24 KiB.
  assert.equal(fmt.bytes(64 * 2 ** 20, 'GiB'), '64.0 MiB');
  assert.equal(fmt.bytes(24 * 1024, 'GiB'), '24.0 KiB');
  assert.equal(fmt.bytes(12, 'GiB'), '12 B');
  // 229,511 GiB = 224.1 TiB (229511 / 1024 = 224.13).
  assert.equal(fmt.bytes(229511 * GiB, 'GiB'), '224.1 TiB');
  assert.equal(fmt.bytes(2 ** 50, 'GiB'), '1,024.0 TiB');
  assert.equal(fmt.bytes(0, 'GiB'), '0 GiB');
  assert.equal(fmt.bytes(-3 * GiB, 'GiB'), '-3.00 GiB');
  for (let e = 0; e < 60; e++) assert.doesNotMatch(fmt.bytes(2 ** e * 1.37, 'GiB'), /^-?0\.00* /, `2^${e}`);
});

test('bytes: decimal family with TB, MB and kB', () => {
  assert.equal(fmt.bytes(13.48e9, 'GB'), '13.5 GB');
  assert.equal(fmt.bytes(246.4e12, 'GB'), '246.4 TB');
  assert.equal(fmt.bytes(5e7, 'GB'), '50.0 MB');
  assert.equal(fmt.bytes(0.2e9, 'GB'), '0.20 GB');
});

test('times, percentages, rates and counts', () => {
  assert.equal(fmt.ms(0.012), '12.0 ms');
  assert.equal(fmt.ms(0.1234), '123 ms');
  assert.equal(fmt.ms(67.036), '1.1 min'); // not "67036 ms"
  assert.equal(fmt.ms(2.5), '2.50 s');
  assert.equal(fmt.seconds(2.2 * 3600), '2.2 h');
  assert.equal(fmt.seconds(1500 * 86400), '1,500.0 days');
  assert.equal(fmt.percent(2881.59), '288,159%'); // not "288159%"
  assert.equal(fmt.percent(0.256), '25.6%');
  assert.equal(fmt.rate(1444.4), '1,444 tokens/s');
  assert.equal(fmt.amount(12345.6), '12,346');
  assert.equal(fmt.amount(2.25), '2.3');
  assert.equal(fmt.money(1234.5), '$1,235');
  for (const f of [fmt.bytes, fmt.ms, fmt.seconds, fmt.percent, fmt.rate, fmt.amount, fmt.money])
    for (const bad of [NaN, Infinity, undefined, null]) assert.equal(f(bad, 'GiB'), fmt.DASH);
});
