package dev.mp3conv.model;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * What loudness normalisation measured (EBU R128, ffmpeg's {@code ebur128} filter): the input over the
 * whole part converted, the gain applied, and the MP3 that came out.
 *
 * @param inputLufs          integrated loudness of the input, LUFS
 * @param inputTruePeakDbtp  true peak of the input, dBTP
 * @param gainDb             gain applied, dB
 * @param limited            whether the peak did not allow the gain as it is, so a true-peak limiter ran
 *                           (such a job converts in one run, never in segments)
 * @param outputLufs         integrated loudness of the MP3, LUFS; null until it is measured
 * @param outputTruePeakDbtp true peak of the MP3, dBTP; null until it is measured
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record LoudnessReport(double inputLufs, double inputTruePeakDbtp, double gainDb, boolean limited,
                             Double outputLufs, Double outputTruePeakDbtp) {
    /**
     * The same input measurement with the output's.
     *
     * @param lufs          integrated loudness of the MP3
     * @param truePeakDbtp  true peak of the MP3
     * @return the report
     */
    public LoudnessReport withOutput(double lufs, double truePeakDbtp) {
        return new LoudnessReport(inputLufs, inputTruePeakDbtp, gainDb, limited, lufs, truePeakDbtp);
    }
}
