// `user` is a relation that findOne() did not load: order.user is undefined at run time.
import { Column, Entity, ManyToOne, PrimaryGeneratedColumn, Repository } from 'typeorm';

@Entity()
export class User {
  @PrimaryGeneratedColumn() id!: number;
  @Column() email!: string;
}

@Entity()
export class Order {
  @PrimaryGeneratedColumn() id!: number;
  @ManyToOne(() => User) user!: User;
}

export async function recipient(orders: Repository<Order>, id: number): Promise<string | undefined> {
  const order = await orders.findOne({ where: { id } });
  return order?.user.email; // expect: no-lazy-relation-access
}
