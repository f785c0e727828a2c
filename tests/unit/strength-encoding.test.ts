import { describe, expect, it } from 'vitest';
import { impactStrokeWidth, percent, points, strengthColour } from '../../app/_components/strength/encoding';

describe('strength encoding', () => {
  it.each([
    [0, 'rgb(213, 94, 0)'],
    [0.5, 'rgb(154, 154, 148)'],
    [1, 'rgb(0, 114, 178)'],
    [0.25, 'rgb(184, 124, 74)'],
    [-1, 'rgb(213, 94, 0)'],
    [2, 'rgb(0, 114, 178)'],
    [Number.NaN, 'rgb(154, 154, 148)'],
  ])('strength %s is %s on the vermillion–grey–blue scale', (score, colour) => {
    expect(strengthColour(score)).toBe(colour);
  });

  it.each([
    [undefined, undefined, 2],
    [0, 3, 2],
    [3, 0, 1],
    [3, 2, 3],
    [1, 4, 5],
    [1, 9, 5],
    [1, Number.NaN, 2],
  ])('%s impact votes with mean %s draw %s px', (count, mean, width) => {
    expect(impactStrokeWidth(count, mean)).toBe(width);
  });

  it.each([
    [0.124, '+12 pts'],
    [-0.031, '−3 pts'],
    [0.004, '±0 pts'],
    [-0.004, '±0 pts'],
  ])('a difference of %s reads %s', (d, text) => {
    expect(points(d)).toBe(text);
  });

  it('percentages round to whole numbers', () => {
    expect([0, 0.625, 0.8125, 1].map(percent)).toEqual(['0%', '63%', '81%', '100%']);
  });
});
