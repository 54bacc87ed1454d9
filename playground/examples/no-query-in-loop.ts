// One database round trip per order (N+1): load the customers with one query instead.
import { Column, Entity, PrimaryGeneratedColumn, Repository } from 'typeorm';

@Entity()
export class Customer {
  @PrimaryGeneratedColumn() id!: number;
  @Column() name!: string;
}

@Entity()
export class Order {
  @PrimaryGeneratedColumn() id!: number;
  @Column() customerId!: number;
  @Column() total!: number;
}

export class Reports {
  constructor(
    private readonly orders: Repository<Order>,
    private readonly customers: Repository<Customer>,
  ) {}

  async rows() {
    const orders = await this.orders.find();
    const rows: { order: number; customer: string }[] = [];
    for (const order of orders) {
      const customer = await this.customers.findOneBy({ id: order.customerId }); // expect: no-query-in-loop
      rows.push({ order: order.id, customer: customer?.name ?? 'unknown' });
    }
    return rows;
  }
}
