import { currentCursor, firstPage, goNext, goPrevious, hasPrevious, pageNumber } from './cursor-stack';

describe('cursor stack', () => {
  it('starts on the first page with no cursor', () => {
    const stack = firstPage();
    expect(currentCursor(stack)).toBeNull();
    expect(pageNumber(stack)).toBe(1);
    expect(hasPrevious(stack)).toBe(false);
  });

  it('walks forward and back through the cursors it has seen', () => {
    let stack = goNext(firstPage(), 'c2');
    stack = goNext(stack, 'c3');
    expect(currentCursor(stack)).toBe('c3');
    expect(pageNumber(stack)).toBe(3);
    stack = goPrevious(stack);
    expect(currentCursor(stack)).toBe('c2');
    stack = goPrevious(stack);
    expect(currentCursor(stack)).toBeNull();
    expect(hasPrevious(stack)).toBe(false);
  });

  it('does not move past either end', () => {
    const first = firstPage();
    expect(goPrevious(first)).toBe(first);
    expect(goNext(first, null)).toBe(first);
    expect(goNext(first, undefined)).toBe(first);
    expect(goNext(first, '')).toBe(first);
  });

  it('never mutates the stack it was given', () => {
    const first = firstPage();
    const second = goNext(first, 'c2');
    goPrevious(second);
    expect(first.cursors).toEqual([null]);
    expect(second.cursors).toEqual([null, 'c2']);
  });
});
