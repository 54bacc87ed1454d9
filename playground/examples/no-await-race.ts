// Read-modify-write across an await: two concurrent topUp() calls both read the balance,
// both wait for fetchBonus(), both write `old + bonus`, and one bonus is lost.
declare function fetchBonus(): Promise<number>;

export class Wallet {
  balance = 0;

  async topUp() {
    this.balance += await fetchBonus(); // expect: no-await-race
  }
}
