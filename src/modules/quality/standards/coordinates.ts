/**
 * Where coordinates of Taiwanese public data can plausibly fall (data_standards, issue 5).
 *
 * Sources (2026-11-27): the Kaifang issue-5 brief (WGS84 / TWD97 longitude 118–123, latitude
 * 21.5–26.5; TWD97 TM2 zone 121: X ≈ 140,000–360,000 m, Y ≈ 2,420,000–2,800,000 m) and
 * datagovtw.md §5 (經度/緯度 in TWD97 decimal degrees). Extended here, by arithmetic on the
 * islands' positions, so that no part of the country is refused:
 * - 連江縣 (Matsu, up to 26.4°N) lies north of the main island: its TM2 northing is about
 *   2,890,000–2,925,000 m, so Y goes up to 2,930,000;
 * - 澎湖 and 金門 are also mapped in TM2 zone 119 (central meridian 119°E), where 金門 (118.2–118.5°E)
 *   has X ≈ 180,000–210,000 and 澎湖 (119.3–119.7°E) X ≈ 280,000–320,000: both inside the X range.
 * TWD67 TM2 (older surveys) differs from TWD97 by under a kilometre and cannot be told apart here.
 * Not covered: 東沙 (Pratas, 116.7°E 20.7°N) and 南沙 (太平島, 114.4°E 10.4°N).
 */
export const WGS84_LON = { min: 118, max: 123 } as const;
export const WGS84_LAT = { min: 21.5, max: 26.5 } as const;
export const TM2_X = { min: 140_000, max: 360_000 } as const;
export const TM2_Y = { min: 2_420_000, max: 2_930_000 } as const;
