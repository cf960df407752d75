#!/bin/sh
# Generates the caller-audio fixtures of the VAD tests: telephone-band (300-3400 Hz), 8 kHz,
# headerless G.711 mu-law, as a Twilio media stream carries them. Needs espeak-ng and sox
# (Debian: apt-get install -y espeak-ng sox); CI uses the committed files.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

phone() { # in.wav out.ulaw: band-pass, 8 kHz, mu-law, no header
    sox "$1" -r 8000 -c 1 -t raw -e mu-law -b 8 "$2" sinc 300-3400 rate 8000
}
say() { # name text [espeak options]
    name=$1; text=$2; shift 2
    espeak-ng "$@" -w "$tmp/$name.wav" "$text"
    phone "$tmp/$name.wav" "$name.ulaw"
}

say words "I need to change my booking for tomorrow evening, please." -s 160
say counting "one. two. three. four. five." -s 150
say backchannel "uh-huh" -s 150
# a cough: a 150 ms burst of low-passed noise with a sharp attack and a fast decay
sox -n -r 8000 -c 1 -b 16 "$tmp/cough.wav" synth 0.15 pinknoise lowpass 1500 fade q 0.005 0.15 0.12 gain -n -6 pad 0.1 0.3
phone "$tmp/cough.wav" cough.ulaw
# white noise for 5 s at -30 dBFS RMS (before the band-pass): a noisy line
sox -n -r 8000 -c 1 -b 16 "$tmp/noise-full.wav" synth 5 whitenoise
rms=$(sox "$tmp/noise-full.wav" -n stat 2>&1 | awk '/RMS +amplitude/ {print $3}')
sox "$tmp/noise-full.wav" "$tmp/noise.wav" vol "$(awk -v r="$rms" 'BEGIN {print 0.0316228 / r}')"
phone "$tmp/noise.wav" noise.ulaw
sha256sum ./*.ulaw > fixtures.sha256
