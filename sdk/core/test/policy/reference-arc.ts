/**
 * A deliberately naive transcription of ARC (Megiddo & Modha, FAST 2003, Fig. 4) over plain arrays,
 * O(c) per request, used only as a test oracle. Index 0 is the LRU end, the last element the MRU end.
 */
export class ReferenceArc {
  t1: number[] = [];
  t2: number[] = [];
  b1: number[] = [];
  b2: number[] = [];
  p = 0;
  constructor(readonly c: number) {}

  request(x: number): boolean {
    const { c } = this;
    if (this.t1.includes(x) || this.t2.includes(x)) {
      remove(this.t1, x);
      remove(this.t2, x);
      this.t2.push(x);
      return true;
    }
    if (this.b1.includes(x)) {
      const d = this.b1.length >= this.b2.length ? 1 : this.b2.length / this.b1.length;
      this.p = Math.min(c, this.p + d);
      this.replace(x);
      remove(this.b1, x);
      this.t2.push(x);
      return false;
    }
    if (this.b2.includes(x)) {
      const d = this.b2.length >= this.b1.length ? 1 : this.b1.length / this.b2.length;
      this.p = Math.max(0, this.p - d);
      this.replace(x);
      remove(this.b2, x);
      this.t2.push(x);
      return false;
    }
    const l1 = this.t1.length + this.b1.length;
    const total = l1 + this.t2.length + this.b2.length;
    if (l1 === c) {
      if (this.t1.length < c) {
        this.b1.shift();
        this.replace(x);
      } else {
        this.t1.shift();
      }
    } else if (total >= c) {
      if (total === 2 * c) this.b2.shift();
      this.replace(x);
    }
    this.t1.push(x);
    return false;
  }

  private replace(x: number): void {
    const t1 = this.t1.length;
    if (t1 >= 1 && ((this.b2.includes(x) && t1 === this.p) || t1 > this.p)) {
      this.b1.push(this.t1.shift()!);
    } else {
      this.b2.push(this.t2.shift()!);
    }
  }
}

function remove(list: number[], x: number): void {
  const i = list.indexOf(x);
  if (i >= 0) list.splice(i, 1);
}
