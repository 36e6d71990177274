from rest_framework import serializers


class AdresseFluxSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="Adresse https(s) du flux : le secret en fait partie.")
    webcal = serializers.CharField(help_text="La même adresse en webcal:// (abonnement).")


class EtatFluxSerializer(serializers.Serializer):
    actif = serializers.BooleanField()
    date_creation = serializers.DateTimeField(allow_null=True)
