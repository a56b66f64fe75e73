package io.asyncsql.metrics;

import io.asyncsql.ReadReplica;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.util.Assert;

/**
 * {@link MeterBinder} of a {@link ReadReplica}: {@code asyncsql.reader.down}, 1 while the
 * reader was last found down, tagged with the name of the reader's engine. The engine's
 * own meters come from {@link AsyncEngineMetrics}.
 *
 * @since 0.1.0
 */
public final class ReadReplicaMetrics implements MeterBinder {

	private final ReadReplica replica;

	private final Iterable<Tag> tags;

	/**
	 * Create the meters of the given reader.
	 * @param replica the reader
	 * @param tags tags added to every meter, besides the engine's name
	 */
	public ReadReplicaMetrics(ReadReplica replica, Iterable<Tag> tags) {
		Assert.notNull(replica, "'replica' must not be null");
		Assert.notNull(tags, "'tags' must not be null");
		this.replica = replica;
		this.tags = tags;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder("asyncsql.reader.down", this.replica, (r) -> r.isDown() ? 1 : 0)
			.tags(Tags.concat(this.tags, "name", this.replica.getEngine().getName()))
			.description("Whether the reader was last found down")
			.register(registry);
	}

}
