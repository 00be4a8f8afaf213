package io.pbx3sbc.edge.dispatch;

/** What the SIP layer tells the prober: the answer to a probe, and a destination worth checking now. */
public interface ProbeOutcomes {
    /** A final answer to the probe handed to {@link OptionsProber.ProbeSender#send}. */
    void answered(OptionsProber.Probe probe, int status);

    /** A relayed request to this destination went unanswered: check it now. */
    void probeSoon(String uri);
}
