"""URL converters that accept only what can be a real date or name, so impossible values are
a 404 from the resolver instead of an error deep in date arithmetic or the database."""

from django.urls import register_converter


class YearConverter:
    regex = "[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


class MonthOrDayConverter(YearConverter):
    # One or two digits: the original site wrote months and days without zero padding.
    regex = "[0-9]{1,2}"


class UsernameConverter:
    # Django's username rule (letters, digits and @.+-_); never a NUL byte or a slash.
    regex = r"[\w.@+-]{1,150}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class TagSlugConverter(UsernameConverter):
    # taggit makes Unicode slugs ("café"); digest.signals gives every tag a non-empty one.
    regex = r"[-\w]+"


register_converter(YearConverter, "year")
register_converter(TagSlugConverter, "tagslug")
register_converter(MonthOrDayConverter, "md")
register_converter(UsernameConverter, "username")
