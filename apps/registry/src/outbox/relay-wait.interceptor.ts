import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { concatMap, Observable } from 'rxjs';
import { RelayWait } from './relay-wait.js';

/** Holds a successful answer until the relay of the events its request committed has run (RelayWait). */
@Injectable()
export class RelayWaitInterceptor implements NestInterceptor {
  constructor(private readonly wait: RelayWait) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const relays: Array<Promise<void>> = [];
    return new Observable((subscriber) =>
      // The handler runs on subscription: subscribing inside the store is what puts it in the request's context.
      this.wait.run(relays, () => next.handle().pipe(concatMap(async (value: unknown) => {
        await this.wait.settle(relays);
        return value;
      })).subscribe(subscriber)));
  }
}
