package io.asyncsql.autoconfigure;

import io.asyncsql.AsyncEngine;

import org.springframework.context.SmartLifecycle;
import org.springframework.util.Assert;

/**
 * Drains the {@link AsyncEngine} when the application context closes: the engine stops
 * admitting work, lets queued and running work finish for
 * {@code async-sql.shutdown.timeout}, then cancels what is left.
 * <p>
 * Its phase makes it stop after the web server's graceful shutdown (so requests still in
 * flight can finish their database work) and after the web server itself, yet before
 * beans are destroyed and the pool closes. An engine cannot be restarted: a stopped
 * context that is started again refuses database work.
 * <p>
 * Auto-configured for the context's single engine, whether auto-configured or the user's;
 * a bean of this type defined by the user takes its place.
 *
 * @since 0.1.0
 */
public final class AsyncEngineLifecycle implements SmartLifecycle {

	/**
	 * Phase of this lifecycle: 1024 below Spring Boot's web server start/stop phase
	 * ({@code DEFAULT_PHASE - 2048}), which stops after graceful shutdown
	 * ({@code DEFAULT_PHASE - 1024}).
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 3072;

	private final AsyncEngine engine;

	private final int phase;

	/**
	 * Create a lifecycle that closes the given engine.
	 * @param engine the engine
	 */
	public AsyncEngineLifecycle(AsyncEngine engine) {
		this(engine, PHASE);
	}

	/**
	 * Create a lifecycle that closes the given engine in the given phase, for an
	 * application whose own lifecycles need the engine open longer or closed sooner.
	 * @param engine the engine
	 * @param phase the phase to stop in
	 */
	public AsyncEngineLifecycle(AsyncEngine engine, int phase) {
		Assert.notNull(engine, "'engine' must not be null");
		this.engine = engine;
		this.phase = phase;
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
		return this.phase;
	}

}
