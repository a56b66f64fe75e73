package io.asyncsql.autoconfigure;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A bounded wait for latches, shared by the starter's tests in every package.
 */
public final class Latches {

	private Latches() {
	}

	/**
	 * Wait up to 10 s for a latch to open and return whether it did ({@code false} when
	 * interrupted, with the interrupt kept).
	 */
	public static boolean await(CountDownLatch latch) {
		try {
			return latch.await(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

}
