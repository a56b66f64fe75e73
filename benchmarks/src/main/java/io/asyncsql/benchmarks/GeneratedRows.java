package io.asyncsql.benchmarks;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A publisher that makes the rows of a bulk load as they are requested, emitting on the
 * thread that requests (a drain loop keeps a request made from {@code onNext} from
 * recursing), so that a sink's speed, not a buffer's, sets the pace.
 */
final class GeneratedRows implements Flow.Publisher<Object[]> {

	static final LocalDateTime EPOCH = LocalDateTime.of(2026, 1, 1, 0, 0);

	private final int rows;

	GeneratedRows(int rows) {
		this.rows = rows;
	}

	/**
	 * Return row {@code id}: the same values in every contender and in psql's file.
	 */
	static Object[] row(long id) {
		return new Object[] { id, "name-" + id, BigDecimal.valueOf(id % 1_000_000, 2), EPOCH.plusSeconds(id) };
	}

	@Override
	public void subscribe(Flow.Subscriber<? super Object[]> subscriber) {
		Objects.requireNonNull(subscriber, "'subscriber' must not be null");
		subscriber.onSubscribe(new Emission(subscriber));
	}

	private final class Emission implements Flow.Subscription {

		private final Flow.Subscriber<? super Object[]> subscriber;

		private final AtomicLong requested = new AtomicLong();

		private final AtomicInteger wip = new AtomicInteger();

		private volatile boolean cancelled;

		private long next;

		Emission(Flow.Subscriber<? super Object[]> subscriber) {
			this.subscriber = subscriber;
		}

		@Override
		public void request(long n) {
			if (n <= 0) {
				this.cancelled = true;
				this.subscriber.onError(new IllegalArgumentException("request(n) needs a positive n, but was " + n));
				return;
			}
			this.requested.getAndAccumulate(n, (current, added) -> Math.max(current + added, current));
			if (this.wip.getAndIncrement() == 0) {
				drain();
			}
		}

		private void drain() {
			int missed = 1;
			do {
				long demand = this.requested.get();
				long emitted = 0;
				while (emitted != demand && this.next < GeneratedRows.this.rows && !this.cancelled) {
					this.subscriber.onNext(row(this.next++));
					emitted++;
				}
				if (this.next == GeneratedRows.this.rows && !this.cancelled) {
					this.cancelled = true;
					this.subscriber.onComplete();
					return;
				}
				this.requested.addAndGet(-emitted);
				missed = this.wip.addAndGet(-missed);
			}
			while (missed != 0);
		}

		@Override
		public void cancel() {
			this.cancelled = true;
		}

	}

}
