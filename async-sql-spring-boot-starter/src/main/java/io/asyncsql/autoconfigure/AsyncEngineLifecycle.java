package io.asyncsql.autoconfigure;

import io.asyncsql.AsyncEngine;

import org.springframework.context.SmartLifecycle;

/**
 * Drains the {@link AsyncEngine} when the application context closes: the engine stops
 * admitting work, lets queued and running work finish for
 * {@code async-sql.shutdown.timeout}, then cancels what is left.
 * <p>
 * Its phase makes it stop after the web server's graceful shutdown (so requests still in
 * flight can finish their database work) and after the web server itself, yet before
 * beans are destroyed and the pool closes. An engine cannot be restarted: a stopped
 * context that is started again refuses database work.
 */
final class AsyncEngineLifecycle implements SmartLifecycle {

	/**
	 * Phase of this lifecycle: 1024 below Spring Boot's web server start/stop phase
	 * ({@code DEFAULT_PHASE - 2048}), which stops after graceful shutdown
	 * ({@code DEFAULT_PHASE - 1024}).
	 */
	static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 3072;

	private final AsyncEngine engine;

	AsyncEngineLifecycle(AsyncEngine engine) {
		this.engine = engine;
	}

	@Override
	public void start() {
		// The engine accepts work from the moment it is built.
	}

	/**
	 * Close the engine on the calling thread, so that the context waits for the drain
	 * before it destroys the data source, however long the shutdown timeout.
	 */
	@Override
	public void stop() {
		this.engine.close();
	}

	@Override
	public boolean isRunning() {
		return !this.engine.isClosed();
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
