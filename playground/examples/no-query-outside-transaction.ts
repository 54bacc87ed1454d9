// The injected repository runs on another pooled connection: not rolled back, and a deadlock with a small pool.
import { Column, DataSource, Entity, PrimaryGeneratedColumn, Repository } from 'typeorm';

@Entity()
export class Account {
  @PrimaryGeneratedColumn() id!: number;
  @Column() balance!: number;
}

export class Transfers {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: Repository<Account>,
  ) {}

  async transfer(fromId: number, toId: number, amount: number) {
    await this.dataSource.transaction(async (manager) => {
      await manager.decrement(Account, { id: fromId }, 'balance', amount);
      await this.accounts.increment({ id: toId }, 'balance', amount); // expect: no-query-outside-transaction
    });
  }
}
